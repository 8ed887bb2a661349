//! The bad-file corpus: every file under tests/corpus/bad yields exactly the diagnostics
//! listed for it in expected.txt (code, line:column, severity), and every example is clean.

use kiln_dsl::{Limits, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Diagnostics of a file, in report order, as `code@line:col` (`(w)` for warnings).
fn summary(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let checked = kiln_dsl::check_bytes(&name, &bytes, &Limits::default());
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let at = checked.file.line_col(d.position());
            let warning = if d.severity == Severity::Warning {
                "(w)"
            } else {
                ""
            };
            let code = d.code.as_str().trim_start_matches("kiln::");
            format!("{code}@{}:{}{warning}", at.line, at.column)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn expectations() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(repo().join("tests/corpus/bad/expected.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, expected) = l.split_once(':').expect("`name: diagnostics`");
            (name.trim().to_string(), expected.trim().to_string())
        })
        .collect()
}

#[test]
fn every_bad_file_gives_its_expected_diagnostics() {
    let expected = expectations();
    let dir = repo().join("tests/corpus/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".kiln.yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "the corpus should hold at least 40 bad files, found {}",
        files.len()
    );

    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".kiln.yaml")
            .to_string();
        let Some(want) = expected.get(&name) else {
            failures.push(format!("{name}: no entry in expected.txt"));
            continue;
        };
        let got = summary(path);
        if got.is_empty() {
            failures.push(format!("{name}: no diagnostic at all"));
        } else if &got != want {
            failures.push(format!("{name}:\n  expected {want}\n  got      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_example_checks_clean() {
    let mut examples: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 6, "expected at least 6 examples");
    for path in examples {
        assert_eq!(summary(&path), "", "{} should check clean", path.display());
    }
}
