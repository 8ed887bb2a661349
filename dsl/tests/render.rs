//! Snapshots of the human report for a few bad files, so changes to wording or layout are
//! deliberate. Set KILN_UPDATE_SNAPSHOTS=1 to rewrite them, then review the diff.

use kiln_dsl::{Limits, check_bytes, render};
use std::path::Path;

const SNAPSHOTS: &[&str] = &[
    "stage-cycle",
    "duplicate-stage",
    "many-errors-sorted",
    "unquoted-interpolation-in-flow",
];

#[test]
fn human_reports_match_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let update = std::env::var_os("KILN_UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for name in SNAPSHOTS {
        let file = format!("{name}.kiln.yaml");
        let bytes = std::fs::read(root.join("bad").join(&file)).unwrap();
        let checked = check_bytes(&file, &bytes, &Limits::default());
        let report = render::render_human(&checked.file, &checked.diagnostics, false);
        let snapshot = root.join("snapshots").join(format!("{name}.txt"));
        if update {
            std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
            std::fs::write(&snapshot, &report).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(report.as_str()) {
            stale.push(format!("{name}:\n{report}"));
        }
    }
    assert!(
        stale.is_empty(),
        "reports differ from tests/corpus/snapshots:\n{}",
        stale.join("\n")
    );
}

fn report(text: &str) -> String {
    let checked = check_bytes("f.kiln.yaml", text.as_bytes(), &Limits::default());
    assert!(!checked.diagnostics.is_empty(), "{text:.200}");
    render::render_human(&checked.file, &checked.diagnostics, false)
}

/// miette pads code lines with Rust's formatter, whose widths stop at 65,535: a diagnostic on
/// a longer line panicked. The report cuts the line and keeps the real column.
#[test]
fn a_diagnostic_far_along_a_very_long_line_is_shown_cut_with_its_real_column() {
    let name = "a".repeat(70_000);
    let text = format!("version: 1\nstages:\n  {name}:\n    from: scratch\n    bogus: 1\n");
    // YAML allows implicit keys of up to 1,024 characters: the report points past the key.
    let shown = report(&text);
    assert!(shown.contains("f.kiln.yaml:3:70003"), "{shown:.2000}");
    // An unknown key at column 70,045 of one line, after a long value.
    let text =
        format!("version: 1\nstages: {{ app: {{ from: scratch, workdir: /{name}, bogus: 1 }} }}\n");
    let shown = report(&text);
    assert!(shown.contains("f.kiln.yaml:2:70045"), "{shown:.2000}");
    assert!(shown.contains("kiln::unknown-key"), "{shown:.2000}");
    assert!(
        shown.lines().all(|l| l.chars().count() < 400),
        "{shown:.2000}"
    );
    assert!(shown.contains('…'), "{shown:.2000}");
}

/// Keys and values are quoted in messages and code frames: escape sequences in them must
/// not reach the terminal, nor NUL bytes.
#[test]
fn control_characters_from_the_file_are_escaped_in_the_report() {
    let shown =
        report("version: 1\nstages:\n  app:\n    from: scratch\n    \"b\\e[31mogus\\0\": 1\n");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\0'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{1b}[31m"), "{shown}");
}

/// The human report shows the first diagnostics and says how many more there are.
#[test]
fn the_human_report_shows_at_most_its_cap_and_counts_the_rest() {
    let mut text = String::from("version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n");
    let total = render::MAX_HUMAN_DIAGNOSTICS + 50;
    for i in 0..total {
        text.push_str(&format!("      - bogus{i}: x\n"));
    }
    let checked = check_bytes("f.kiln.yaml", text.as_bytes(), &Limits::default());
    let found = checked.diagnostics.len();
    assert!(found >= total, "{found}");
    let shown = render::render_human(&checked.file, &checked.diagnostics, false);
    assert_eq!(
        shown.matches("\n  × ").count(),
        render::MAX_HUMAN_DIAGNOSTICS,
        "{shown:.500}"
    );
    let more = found - render::MAX_HUMAN_DIAGNOSTICS;
    assert!(
        shown.contains(&format!(
            "kiln: {more} more diagnostic(s) in f.kiln.yaml not shown"
        )),
        "{}",
        &shown[shown.len().saturating_sub(300)..]
    );
}
