//! One rule for which value an arg has (docs/format.md, "Which value an arg has"), in real
//! builds on every engine: through the frontend (`--build-arg`, and `--call=outline`) and
//! `kiln bake` (`--var`, `--set`). The offline entry points are tested in arg_precedence.rs.

mod common;

use common::{ARG_PRECEDENCE_FILE, context, text};
use kiln_testbed::{Build, Engine, EngineKind};
use std::path::Path;
use std::process::Command;

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

/// The VERSION `docker buildx build --call=outline` shows for `target` with build args.
fn outlined_version(dir: &Path, engine: &Engine, target: &str, build_args: &[&str]) -> String {
    let mut command = engine.buildx();
    command.args(["build", "--call=outline", "--target", target]);
    for pair in build_args {
        command.args(["--build-arg", pair]);
    }
    let out = command
        .arg("-f")
        .arg(dir.join("kiln.yaml"))
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "[{}] {}", engine.name, text(&out));
    let shown = text(&out);
    let line = shown.lines().find(|l| l.starts_with("VERSION"));
    let line = line.unwrap_or_else(|| panic!("[{}] no VERSION in {shown}", engine.name));
    line.split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn builds_follow_the_same_rule_on_every_engine() {
    let dir = context(ARG_PRECEDENCE_FILE);
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
            outlined_version(d, e, "worker", &[]),
            "0.1.1",
            "{}",
            at("outline")
        );
        assert_eq!(
            outlined_version(d, e, "worker", &["VERSION=9"]),
            "9",
            "{}",
            at("outline --build-arg")
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
