//! Every YAML example has an HCL twin, and the two are the same build: `kiln llb` gives
//! byte-identical Definitions for every target and platform, and `kiln print` the same plan.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn kiln(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kiln runs");
    assert!(
        out.status.success(),
        "kiln {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// (YAML file, HCL twin) pairs, relative to the repository.
fn twins() -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for dir in ["examples", "examples/demo"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".yaml") {
                let hcl = format!("{dir}/{stem}.hcl");
                assert!(
                    repo().join(&hcl).exists(),
                    "{dir}/{name} has no HCL twin {hcl}"
                );
                pairs.push((format!("{dir}/{name}"), hcl));
            }
        }
    }
    pairs.sort();
    assert!(pairs.len() >= 8, "{pairs:?}");
    pairs
}

fn llb_args<'a>(file: &'a str, build: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["llb", "--no-source", file];
    args.extend(build.iter().map(String::as_str));
    args
}

#[test]
fn every_example_and_its_hcl_twin_lower_to_the_same_bytes() {
    for (yaml, hcl) in twins() {
        let text = std::fs::read(repo().join(&yaml)).unwrap();
        let checked = kiln_dsl::check_bytes(&yaml, &text, &kiln_dsl::Limits::default());
        let model = checked.model.as_ref().unwrap();
        let mut builds: Vec<Vec<String>> = Vec::new();
        // With no --target when the file has one default (not a group of several).
        if let Ok(kiln_lowering::Selection::One(_)) = kiln_lowering::select(model, None) {
            builds.push(Vec::new());
        }
        for (name, target) in &model.targets {
            builds.push(vec!["--target".into(), name.value.clone()]);
            for platform in &target.platforms {
                if !platform.value.contains("${") {
                    builds.push(vec![
                        "--target".into(),
                        name.value.clone(),
                        "--platform".into(),
                        platform.value.clone(),
                    ]);
                }
            }
        }
        if model.targets.is_empty() {
            builds.extend(
                model
                    .stages
                    .keys()
                    .map(|s| vec!["--target".into(), s.value.clone()]),
            );
        }
        for build in &builds {
            assert!(
                kiln(&llb_args(&yaml, build)) == kiln(&llb_args(&hcl, build)),
                "{yaml} and {hcl} differ for {build:?}: compare `kiln llb --format json`"
            );
        }
        let names: Vec<String> = model.targets.keys().map(|k| k.value.clone()).collect();
        let print = |file: &str| {
            let mut args = vec!["print", "-f", file];
            args.extend(names.iter().map(String::as_str));
            kiln(&args)
        };
        assert!(
            print(&yaml) == print(&hcl),
            "{yaml} and {hcl}: `kiln print` differs"
        );
        for format in ["dot", "mermaid"] {
            let graph = |file: &str| kiln(&["graph", "--format", format, file]);
            assert!(
                graph(&yaml) == graph(&hcl),
                "{yaml} and {hcl}: `kiln graph --format {format}` differs"
            );
        }
        // `kiln check` finds the same (no) problems in both.
        let check = |file: &str| -> serde_json::Value {
            serde_json::from_slice(&kiln(&["check", "--format", "json", file])).unwrap()
        };
        assert_eq!(
            check(&yaml)["diagnostics"],
            check(&hcl)["diagnostics"],
            "{yaml} and {hcl}"
        );
    }
}

#[test]
fn print_is_stable_and_shows_overrides() {
    let args = [
        "print",
        "-f",
        "examples/group.kiln.hcl",
        "all",
        "--var",
        "VERSION=9.9",
    ];
    let (first, again) = (kiln(&args), kiln(&args));
    assert_eq!(first, again);
    let plan: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(plan["target"]["api"]["tags"][0], "localhost:5000/api:9.9");
    assert_eq!(
        plan["group"]["services"]["targets"],
        serde_json::json!(["api", "worker"])
    );
    assert_eq!(
        plan["target"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["api", "docs", "docs-site", "worker"]
    );
    // No names: the `default` group.
    let default: serde_json::Value =
        serde_json::from_slice(&kiln(&["print", "-f", "examples/group.kiln.yaml"])).unwrap();
    assert_eq!(
        default["group"]["default"]["targets"],
        serde_json::json!(["api", "worker"])
    );
}
