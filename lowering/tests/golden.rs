//! Golden tests: the readable JSON form of every example's Definition and image config is
//! checked in under tests/golden, so any change to lowering shows up in review.
//! Set KILN_UPDATE_GOLDEN=1 to rewrite them, then read the diff.

mod common;

#[test]
fn every_example_target_matches_its_golden_file() {
    let update = std::env::var_os("KILN_UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    let targets = common::example_targets();
    assert!(
        targets.len() >= 8,
        "expected the examples to have at least 8 targets"
    );
    for (path, target) in targets {
        let (model, file) = common::load(&path);
        let lowered = common::lower(&model, &file, target.as_deref());
        let json = serde_json::json!({
            "target": lowered.target,
            "platform": lowered.platform,
            "definition": kiln_lowering::json::definition_json(&lowered.definition),
            "image": lowered.image,
        });
        let text = format!("{json:#}\n");
        let stem = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".kiln.yaml")
            .to_string();
        let golden = common::repo()
            .join("tests/golden")
            .join(format!("{stem}.{}.json", lowered.target));
        if update {
            std::fs::write(&golden, &text).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(text.as_str()) {
            stale.push(golden.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "lowering changed for: {stale:?}\nrerun with KILN_UPDATE_GOLDEN=1 and review the diff"
    );
}
