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
