//! One rule for which value an arg has (docs/format.md, "Which value an arg has"), through
//! every entry point: `kiln llb`, `kiln print`, `kiln bake --print`, and real builds through
//! the frontend (`--build-arg`) and `kiln bake` (`--var`, `--set`) on every engine.

use kiln_testbed::{Build, Engine, EngineKind};
use std::path::Path;
use std::process::{Command, Output};

/// `worker` sets VERSION in its `args`; `plain` does not.
const FILE: &str = r#"# syntax=localhost:5000/kiln:dev
version: 1
args:
  VERSION: "0.1"
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - run: echo ${VERSION} > /v
targets:
  worker:
    stage: app
    args: { VERSION: 0.1.1 }
  plain:
    stage: app
"#;

fn context() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), FILE).unwrap();
    dir
}

fn kiln(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("kiln runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

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
    let dir = context();
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

/// Build `target` with `kiln bake` on `engine` into a local folder; the VERSION its step saw.
fn baked_version(dir: &Path, engine: &Engine, target: &str, extra: &[&str]) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let output = format!(
        "{target}.output=type=local,dest={}",
        out_dir.path().display()
    );
    let mut args = vec!["bake", "-f", "kiln.yaml", target, "--progress", "plain"];
    args.extend(["--set", &output]);
    args.extend(extra);
    if engine.kind == EngineKind::Buildkitd {
        args.extend(["--builder", "kiln-remote"]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(&args)
        .current_dir(dir)
        .env("DOCKER_HOST", &engine.docker_host)
        .output()
        .unwrap();
    assert!(out.status.success(), "[{}] {}", engine.name, text(&out));
    let v = std::fs::read_to_string(out_dir.path().join("v")).unwrap();
    v.trim().to_string()
}

/// Build `target` through the frontend with build args; the VERSION its step saw.
fn built_version(dir: &Path, engine: &Engine, target: &str, build_args: &[(&str, &str)]) -> String {
    let build = Build {
        file: Some("kiln.yaml".into()),
        target: Some(target.into()),
        build_args: build_args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Build::new(dir)
    };
    let out_dir = tempfile::tempdir().unwrap();
    engine
        .build_local(&build, out_dir.path())
        .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
    let v = std::fs::read_to_string(out_dir.path().join("v")).unwrap();
    v.trim().to_string()
}

#[test]
fn builds_follow_the_same_rule_on_every_engine() {
    let dir = context();
    let d = dir.path();
    for engine in Engine::all() {
        let e = &engine;
        let at = |what: &str| format!("[{}] {what}", e.name);
        assert_eq!(
            built_version(d, e, "worker", &[]),
            "0.1.1",
            "{}",
            at("default")
        );
        assert_eq!(
            built_version(d, e, "worker", &[("VERSION", "9")]),
            "9",
            "{}",
            at("--build-arg")
        );
        assert_eq!(
            baked_version(d, e, "worker", &["--var", "VERSION=9"]),
            "0.1.1",
            "{}",
            at("bake --var")
        );
        assert_eq!(
            baked_version(d, e, "plain", &["--var", "VERSION=9"]),
            "9",
            "{}",
            at("bake --var, a target without args")
        );
        assert_eq!(
            baked_version(d, e, "worker", &["--set", "worker.args.VERSION=9"]),
            "9",
            "{}",
            at("bake --set")
        );
    }
}
