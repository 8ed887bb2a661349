//! The `kiln` binary: exit codes, the JSON report format, and `kiln schema`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn kiln(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kiln runs")
}

fn bad(name: &str) -> String {
    format!("tests/corpus/bad/{name}.kiln.yaml")
}

#[test]
fn exit_codes_say_clean_errors_or_unusable() {
    assert_eq!(
        kiln(&["check", "examples/group.kiln.yaml"]).status.code(),
        Some(0)
    );
    assert_eq!(
        kiln(&["check", &bad("unknown-stage-key")]).status.code(),
        Some(1)
    );
    assert_eq!(kiln(&["check", &bad("tabs")]).status.code(), Some(2));
    assert_eq!(kiln(&["check", "no/such/file.yaml"]).status.code(), Some(2));
    // Warnings pass unless denied.
    assert_eq!(
        kiln(&["check", &bad("unused-stage-and-arg")]).status.code(),
        Some(0)
    );
    assert_eq!(
        kiln(&["check", "--deny-warnings", &bad("unused-stage-and-arg")])
            .status
            .code(),
        Some(1)
    );
    // Several files: the worst result wins.
    let both = kiln(&["check", "examples/group.kiln.yaml", &bad("tabs")]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn human_report_names_file_line_and_help() {
    let out = kiln(&["check", "--color", "never", &bad("run-option-typo")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("kiln::unknown-key"), "{text}");
    assert!(text.contains("run-option-typo.kiln.yaml:7:9"), "{text}");
    assert!(text.contains("did you mean `mounts`?"), "{text}");
    assert!(
        text.contains("kiln: 1 error, 0 warnings in 1 file"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes with --color never"
    );
}

#[test]
fn json_report_matches_the_documented_format() {
    let out = kiln(&["check", "--format", "json", &bad("many-errors-sorted")]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/corpus/many-errors-sorted.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        report, expected,
        "the JSON format is documented in docs/diagnostics.md; change both together"
    );
}

#[test]
fn missing_file_is_a_diagnostic_not_a_crash() {
    let out = kiln(&["check", "--format", "json", "no/such/file.yaml"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "kiln::io");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let out = kiln(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read(repo().join("schema/kiln.schema.json")).unwrap();
    assert_eq!(out.stdout, committed);
}
