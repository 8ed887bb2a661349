//! Several build files handed to a build as one HCL text (`hcl_front::merge`) mean what the
//! files mean: for every case of tests/conformance/bake with several files, the merged text
//! read as one file gives the model the files give.

use kiln_dsl::Limits;
use std::path::Path;

#[test]
fn merged_files_read_as_the_files_do() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/bake");
    let mut compared = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(spec) = std::fs::read_to_string(dir.join("case.json")) else {
            continue;
        };
        let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
        let names: Vec<&str> = spec["files"]
            .as_array()
            .map(|f| f.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if names.len() < 2 || spec.get("expect_error").is_some() {
            continue;
        }
        let files: Vec<(String, String)> = names
            .iter()
            .map(|n| (n.to_string(), std::fs::read_to_string(dir.join(n)).unwrap()))
            .collect();
        let bytes: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
            .collect();
        let options = kiln_dsl::check::Options::default();
        let apart = kiln_dsl::check_files_with(&bytes, &Limits::default(), &options);
        let text = kiln_dsl::hcl_front::merge::merged(&files).unwrap();
        let one = kiln_dsl::check_bytes_with(
            "kiln.merged.hcl",
            text.as_bytes(),
            &Limits::default(),
            &options,
        );
        let model = |c: &kiln_dsl::Checked| {
            serde_json::to_value(c.model.as_ref().expect("a model")).unwrap()
        };
        assert_eq!(model(&apart), model(&one), "{}:\n{text}", dir.display());
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} cases with several files");
}

fn files(parts: &[(&str, &str)]) -> kiln_dsl::Checked {
    let bytes: Vec<(String, Vec<u8>)> = parts
        .iter()
        .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
        .collect();
    kiln_dsl::check_files_with(&bytes, &Limits::default(), &Default::default())
}

#[test]
fn several_files_merge_groups_and_locate_diagnostics_in_their_file() {
    let base = "version = 1\nstage \"app\" { from = \"scratch\" }\ntarget \"a\" { stage = \"app\" }\ntarget \"b\" { stage = \"app\" }\ngroup \"default\" { targets = [\"a\"] }\n";
    let checked = files(&[
        ("a.hcl", base),
        (
            "b.hcl",
            "group \"default\" {\n  targets = [\"b\", \"a\"]\n}\n",
        ),
    ]);
    let model = checked.model.as_ref().expect("a model");
    let members: Vec<&str> = model.groups["default"]
        .targets
        .iter()
        .map(|t| t.value.as_str())
        .collect();
    assert_eq!(
        members,
        ["a", "b"],
        "a later group adds its targets, each once"
    );

    let checked = files(&[
        ("a.hcl", base),
        ("b.hcl", "\n\ntarget \"a\" {\n  tagz = [\"x\"]\n}\n"),
    ]);
    let report = checked.error_report(false);
    assert!(report.contains("b.hcl:4:3"), "{report}");
    assert!(report.contains("did you mean `tags`?"), "{report}");

    let checked = files(&[("a.hcl", base), ("b.yaml", "version: 1\n")]);
    assert!(checked.error_report(false).contains("only HCL build files"));
}
