//! `docker buildx build --call=check` (BuildKit's `frontend.lint` subrequest) answered by the
//! kiln frontend on every engine of the bench, with the real buildx: kiln's diagnostics with
//! the snippet of their line, a non-zero exit for an error (and, as for a Dockerfile, for a
//! warning), nothing and exit 0 for a clean file, and the JSON with `format=json`.

mod common;

use kiln_testbed::Engine;
use std::path::Path;

const WARNS: &str = "version: 1\nargs:\n  UNUSED: x\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo hi\n";
const FAILS: &str = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    stepz:\n      - run: echo hi\n";
const CLEAN: &str = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo hi\n";

/// `docker buildx build --call=CALL -f FILE DIR` on `engine`: (stdout, stdout and stderr,
/// exit code).
fn call(engine: &Engine, dir: &Path, call: &str, file: &str) -> (String, String, Option<i32>) {
    let out = engine
        .buildx()
        .args(["build", "--progress=plain"])
        .arg(format!("--call={call}"))
        .arg("-f")
        .arg(dir.join(file))
        .arg(dir)
        .output()
        .expect("the docker CLI with the buildx plugin");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let log = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    (stdout, log, out.status.code())
}

fn files() -> tempfile::TempDir {
    common::context(&[
        ("warns.yaml", WARNS),
        ("fails.yaml", FAILS),
        ("clean.yaml", CLEAN),
    ])
}

#[test]
fn call_check_prints_kiln_diagnostics_with_snippets_and_fails_on_them() {
    let dir = files();
    for engine in Engine::all() {
        let name = engine.name;
        // Line numbers count the `# syntax=` line the context adds.
        let (_, log, code) = call(&engine, dir.path(), "check", "warns.yaml");
        assert!(
            log.contains("WARNING: kiln::unused-arg - docs/diagnostics.md#unused-arg")
                && log.contains("arg `UNUSED`"),
            "[{name}] the warning, its code and docs: {log}"
        );
        assert!(
            log.contains("warns.yaml:4") && log.contains("   4 | >>>   UNUSED: x"),
            "[{name}] the snippet of its line: {log}"
        );
        assert_eq!(code, Some(1), "[{name}] a warning fails the check: {log}");

        let (_, log, code) = call(&engine, dir.path(), "check", "fails.yaml");
        assert_ne!(code, Some(0), "[{name}] an error fails: {log}");
        assert!(
            log.contains("WARNING: kiln::unknown-key")
                && log.contains("   6 | >>>     stepz:")
                && log.contains("did you mean `steps`?"),
            "[{name}] the error with its snippet and help: {log}"
        );
        assert!(
            log.contains("kiln check found 1 error in"),
            "[{name}] the build error buildx fails with: {log}"
        );

        let (_, log, code) = call(&engine, dir.path(), "check", "clean.yaml");
        assert_eq!(code, Some(0), "[{name}] {log}");
        assert!(
            log.contains("Check complete, no warnings found.") && !log.contains("WARNING:"),
            "[{name}] {log}"
        );
    }
}

#[test]
fn call_check_format_json_is_buildkits_lint_result() {
    let dir = files();
    for engine in Engine::all() {
        let name = engine.name;
        let (stdout, log, code) = call(&engine, dir.path(), "check,format=json", "fails.yaml");
        assert_ne!(code, Some(0), "[{name}] {log}");
        let json: serde_json::Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("[{name}] not JSON ({e}): {log}"));
        let warning = &json["warnings"][0];
        assert_eq!(warning["ruleName"], "kiln::unknown-key", "[{name}] {json}");
        assert_eq!(warning["url"], "docs/diagnostics.md#unknown-key");
        assert_eq!(warning["location"]["ranges"][0]["start"]["line"], 6);
        assert!(json["buildError"]["message"].is_string(), "[{name}] {json}");
        assert!(
            json["sources"][0]["filename"]
                .as_str()
                .is_some_and(|f| f.ends_with("fails.yaml")),
            "[{name}] {json}"
        );
        let (stdout, log, code) = call(&engine, dir.path(), "check,format=json", "clean.yaml");
        assert_eq!(code, Some(0), "[{name}] {log}");
        let json: serde_json::Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("[{name}] not JSON ({e}): {log}"));
        assert_eq!(json["warnings"], serde_json::json!([]), "[{name}] {json}");
    }
}

/// The describe subrequest lists `frontend.lint`; the check sees the build args (a typo is
/// `kiln::unknown-build-arg`) and reads HCL files, located in them too.
#[test]
fn call_check_is_described_sees_build_args_and_reads_hcl() {
    let hcl = "stage \"app\" {\n  from = \"localhost:5000/busybox:1\"\n  stepz = []\n}\n";
    let dir = common::context(&[("clean.yaml", CLEAN), ("kiln.hcl", hcl)]);
    for engine in Engine::all() {
        let name = engine.name;
        let (stdout, log, code) = call(&engine, dir.path(), "subrequests.describe", "clean.yaml");
        assert_eq!(code, Some(0), "[{name}] {log}");
        assert!(stdout.contains("frontend.lint"), "[{name}] {log}");

        let out = engine
            .buildx()
            .args(["build", "--call=check", "--build-arg", "VERSON=2", "-f"])
            .arg(dir.path().join("clean.yaml"))
            .arg(dir.path())
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            log.contains("WARNING: kiln::unknown-build-arg")
                && log.contains("the build arg `VERSON` names no arg of this file"),
            "[{name}] {log}"
        );

        let (_, log, code) = call(&engine, dir.path(), "check", "kiln.hcl");
        assert_ne!(code, Some(0), "[{name}] {log}");
        assert!(
            log.contains("WARNING: kiln::unknown-key") && log.contains("   4 | >>>   stepz = []"),
            "[{name}] the HCL file's line: {log}"
        );
    }
}
