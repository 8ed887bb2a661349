//! buildx's own bake tests (bake/hcl_test.go, bake/bake_test.go), re-expressed as kiln cases
//! in tests/conformance/bake/: each directory holds the HCL file(s) and a `case.json` with
//! the command line (targets, `--var`, `--set`, environment), what `kiln print` (or `kiln
//! bake --print`) must contain, and the case's status. Every case runs through the real
//! binary. A `known_failure` must still fail, so fixing kiln forces its status to be
//! flipped: no case is ever silently skipped.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/bake")
}

#[derive(Debug, PartialEq)]
enum Status {
    Pass,
    Differs,
    KnownFailure,
}

struct Case {
    name: String,
    dir: PathBuf,
    spec: Value,
    status: Status,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().expect("a string").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn load(dir: &Path) -> Case {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(dir.join("case.json")).expect("case.json");
    let spec: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let upstream = spec["upstream"].as_str().unwrap_or_default();
    assert!(
        upstream.starts_with("bake/hcl_test.go: Test")
            || upstream.starts_with("bake/bake_test.go: Test"),
        "{name}: `upstream` must name the Go test it came from"
    );
    let status = match spec["status"].as_str() {
        Some("pass") => Status::Pass,
        Some("differs") => Status::Differs,
        Some("known_failure") => Status::KnownFailure,
        other => panic!("{name}: status {other:?}"),
    };
    if status != Status::Pass {
        assert!(
            spec["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{name}: a {status:?} case says why in `reason`"
        );
    }
    Case {
        name,
        dir: dir.to_path_buf(),
        spec,
        status,
    }
}

/// `expected` is a subset of `actual`: every key of an expected object is there with a
/// matching value (`null` means the key must be absent), lists match item by item.
fn subset(expected: &Value, actual: Option<&Value>, path: &str, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Null, None | Some(Value::Null)) => {}
        (Value::Null, Some(found)) => errors.push(format!("{path}: expected absent, got {found}")),
        // Keys that must be absent are absent when their parent is.
        (Value::Object(want), None) if want.values().all(Value::is_null) => {}
        (_, None) => errors.push(format!("{path}: missing, expected {expected}")),
        (Value::Object(want), Some(Value::Object(got))) => {
            for (key, value) in want {
                subset(value, got.get(key), &format!("{path}.{key}"), errors);
            }
        }
        (Value::Array(want), Some(Value::Array(got))) if want.len() == got.len() => {
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                subset(w, Some(g), &format!("{path}[{i}]"), errors);
            }
        }
        (want, Some(got)) if want == got => {}
        (want, Some(got)) => errors.push(format!("{path}: expected {want}, got {got}")),
    }
}

/// The command line of a case: `kiln print`, or `kiln bake --print` when it has `--set`s.
fn command_line(case: &Case) -> Vec<String> {
    let spec = &case.spec;
    let sets = strings(&spec["set"]);
    let mut args: Vec<String> = if sets.is_empty() && spec["command"] != "bake" {
        vec!["print".into()]
    } else {
        vec!["bake".into(), "--print".into()]
    };
    let files = match strings(&spec["files"]) {
        files if files.is_empty() => vec!["kiln.hcl".to_string()],
        files => files,
    };
    for file in files {
        args.extend(["-f".into(), file]);
    }
    args.extend(strings(&spec["args"]));
    for set in sets {
        args.extend(["--set".into(), set]);
    }
    args.extend(strings(&spec["targets"]));
    args
}

fn run(case: &Case, args: &[String]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
    // Only the case's own environment: `--vars-from-env` must not see the test runner's.
    command.args(args).current_dir(&case.dir).env_clear();
    if let Some(env) = case.spec["env"].as_object() {
        for (name, value) in env {
            command.env(name, value.as_str().expect("env values are strings"));
        }
    }
    command.output().expect("kiln runs")
}

/// Ok when kiln does what the case expects, else what differed.
fn outcome(case: &Case) -> Result<(), String> {
    let args = command_line(case);
    let out = run(case, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let shown = format!("kiln {}", args.join(" "));
    if let Some(error) = case.spec["expect_error"].as_str() {
        if out.status.success() {
            return Err(format!(
                "{shown}: succeeded, expected an error with `{error}`"
            ));
        }
        if !stderr.contains(error) {
            return Err(format!("{shown}: error without `{error}`:\n{stderr}"));
        }
        return Ok(());
    }
    if !out.status.success() {
        return Err(format!("{shown}: failed:\n{stderr}"));
    }
    let plan: Value =
        serde_json::from_str(&stdout).map_err(|e| format!("{shown}: not JSON ({e}):\n{stdout}"))?;
    let mut errors = Vec::new();
    if let Some(expected) = case.spec.get("expect") {
        subset(expected, Some(&plan), "", &mut errors);
    }
    if let Some(names) = case.spec.get("expect_targets") {
        let mut got: Vec<&String> = plan["target"]
            .as_object()
            .map(|t| t.keys().collect())
            .unwrap_or_default();
        got.sort();
        let mut want = strings(names);
        want.sort();
        if got
            .iter()
            .map(|s| s.as_str())
            .ne(want.iter().map(String::as_str))
        {
            errors.push(format!("targets: expected {want:?}, got {got:?}"));
        }
    }
    llb(case, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{shown}:\n  {}", errors.join("\n  ")))
    }
}

/// `"llb": {"target": T, "contains": [...]}`: `kiln llb --format json` of T has each text.
fn llb(case: &Case, errors: &mut Vec<String>) {
    let Some(spec) = case.spec.get("llb") else {
        return;
    };
    let target = spec["target"].as_str().expect("llb.target");
    let mut args = vec!["llb".to_string(), "--format".into(), "json".into()];
    args.extend(strings(&case.spec["args"]));
    args.extend(["--target".into(), target.into(), "kiln.hcl".into()]);
    let out = run(case, &args);
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        errors.push(format!(
            "kiln {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    for wanted in strings(&spec["contains"]) {
        if !text.contains(&wanted) {
            errors.push(format!("llb of {target}: no `{wanted}`"));
        }
    }
}

/// The README's list of upstream tests kiln has no notion of: `- bake/...: TestX: reason`.
fn not_applicable() -> usize {
    let readme = std::fs::read_to_string(corpus().join("README.md")).expect("README.md");
    let section = readme
        .split("## Not applicable")
        .nth(1)
        .expect("a `## Not applicable` section");
    let section = section.split("\n## ").next().unwrap_or_default();
    section
        .lines()
        .filter(|l| l.starts_with("- bake/") && l.contains(": Test"))
        .count()
}

#[test]
fn buildx_bake_tests_ported_to_kiln() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.json").exists())
        .collect();
    dirs.sort();
    let cases: Vec<Case> = dirs.iter().map(|d| load(d)).collect();
    let mut problems = Vec::new();
    let (mut pass, mut differs, mut known) = (0, 0, 0);
    for case in &cases {
        let result = outcome(case);
        match (&case.status, result) {
            (Status::Pass, Ok(())) => pass += 1,
            (Status::Differs, Ok(())) => differs += 1,
            (Status::KnownFailure, Err(_)) => known += 1,
            (Status::KnownFailure, Ok(())) => problems.push(format!(
                "{}: a known failure now passes: flip its status to `pass`",
                case.name
            )),
            (_, Err(why)) => problems.push(format!("{}: {why}", case.name)),
        }
    }
    let upstream: std::collections::BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| c.spec["upstream"].as_str())
        .collect();
    eprintln!(
        "bake conformance: {} cases ported from {} upstream tests; {pass} pass, {differs} differ (documented), {known} known failures; {} upstream tests not applicable",
        cases.len(),
        upstream.len(),
        not_applicable()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
