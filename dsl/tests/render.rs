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
