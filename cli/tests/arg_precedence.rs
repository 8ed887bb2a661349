//! One rule for which value an arg has (docs/format.md, "Which value an arg has"), through
//! the offline entry points: `kiln llb`, `kiln print`, `kiln bake --print`. The same rule in
//! real builds is tested in arg_precedence_e2e.rs.

mod common;

use common::{ARG_PRECEDENCE_FILE, context, kiln, text};
use std::path::Path;

/// The VERSION the `run` step of `target` gets, as `kiln llb` lowers it.
fn llb_version(dir: &Path, target: &str, extra: &[&str]) -> String {
    let mut args = vec!["llb", "kiln.yaml", "--format", "json", "--target", target];
    args.extend(extra);
    let out = kiln(dir, &args);
    assert!(out.status.success(), "{}", text(&out));
    let json = String::from_utf8_lossy(&out.stdout);
    let start = json.find("echo ").expect("the run step") + "echo ".len();
    json[start..].split(' ').next().unwrap().to_string()
}

/// The VERSION in `target`'s args, as `kiln print` (or `kiln bake --print`) shows the plan.
fn printed_version(dir: &Path, command: &[&str], target: &str, extra: &[&str]) -> String {
    let mut args = command.to_vec();
    args.extend(["-f", "kiln.yaml", target]);
    args.extend(extra);
    let out = kiln(dir, &args);
    assert!(out.status.success(), "{}", text(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    plan["target"][target]["args"]["VERSION"]
        .as_str()
        .unwrap_or("(the default)")
        .to_string()
}

#[test]
fn the_cli_follows_one_rule_offline() {
    let dir = context(ARG_PRECEDENCE_FILE);
    let d = dir.path();
    // The caller's build arg wins; `--var` is the file's value, under a target's `args`.
    assert_eq!(llb_version(d, "worker", &[]), "0.1.1");
    assert_eq!(llb_version(d, "plain", &[]), "0.1");
    assert_eq!(llb_version(d, "worker", &["--build-arg", "VERSION=9"]), "9");
    assert_eq!(llb_version(d, "worker", &["--var", "VERSION=9"]), "0.1.1");
    assert_eq!(llb_version(d, "plain", &["--var", "VERSION=9"]), "9");
    let print = ["print"];
    let bake_print = ["bake", "--print"];
    assert_eq!(
        printed_version(d, &print, "worker", &["--var", "VERSION=9"]),
        "0.1.1"
    );
    assert_eq!(
        printed_version(d, &bake_print, "worker", &["--var", "VERSION=9"]),
        "0.1.1"
    );
    let set = ["--set", "worker.args.VERSION=9"];
    assert_eq!(printed_version(d, &bake_print, "worker", &set), "9");
}
