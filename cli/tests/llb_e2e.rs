//! `kiln llb --resolve-images` lowers what the frontend lowers: a base image's WorkingDir,
//! User, Env and Cmd are inherited the same way, checked against the image the frontend
//! builds on every engine. Without the flag they are not known (the documented offline
//! lowering), which this test also shows.

use kiln_testbed::{Build, Engine, unique_tag};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const BASE_DOCKERFILE: &str = "FROM localhost:5000/busybox:1
WORKDIR /srv
USER 1000
ENV MODE=prod
CMD [\"sh\", \"-c\", \"echo served\"]
";

/// A base image with a config of its own, pushed to the bench registry once for this
/// file's tests (two identical builds at once on Docker 20.10 can trip over each other).
fn push_base() -> String {
    static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BASE.get_or_init(build_and_push_base).clone()
}

fn build_and_push_base() -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), BASE_DOCKERFILE).unwrap();
    let tag = unique_tag("localhost:5000/kiln-llb-e2e/base");
    let docker20 = Engine::named("docker20");
    let context = dir.path().display().to_string();
    docker20.docker_ok(&["build", "-q", "-t", &tag, &context]);
    docker20.docker_ok(&["push", &tag]);
    docker20.remove_image(&tag);
    tag
}

fn kiln_file(base: &str) -> String {
    format!(
        "# syntax=localhost:5000/kiln:dev
version: 1
stages:
  app:
    from: {base}
    steps:
      - run: pwd > /tmp/here
"
    )
}

/// `kiln llb --format json` of the file, with `extra` flags.
fn llb_json(dir: &Path, extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["llb", "kiln.yaml", "--format", "json"])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "kiln llb {extra:?}: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The fields a base image hands down, as an image config shows them.
fn inherited(config: &Value) -> Vec<Value> {
    ["WorkingDir", "User", "Env", "Cmd"]
        .iter()
        .map(|k| config.get(*k).cloned().unwrap_or(Value::Null))
        .collect()
}

/// The exec op's working directory and user in the Definition `kiln llb` printed.
fn exec_cwd_and_user(llb: &Value) -> (String, String) {
    let text = llb["definition"].to_string();
    let pick = |key: &str| {
        let start = text
            .find(&format!("\"{key}\":\""))
            .map(|i| i + key.len() + 4);
        start.map(|s| text[s..].split('"').next().unwrap().to_string())
    };
    (
        pick("cwd").unwrap_or_default(),
        pick("user").unwrap_or_default(),
    )
}

#[test]
fn resolved_llb_inherits_what_the_frontend_inherits_on_every_engine() {
    let base = push_base();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), kiln_file(&base)).unwrap();

    let resolved = llb_json(dir.path(), &["--resolve-images"]);
    assert_eq!(exec_cwd_and_user(&resolved), ("/srv".into(), "1000".into()));
    let offline = llb_json(dir.path(), &[]);
    assert_eq!(exec_cwd_and_user(&offline), ("/".into(), String::new()));
    assert_ne!(
        inherited(&offline["image"]["config"]),
        inherited(&resolved["image"]["config"])
    );

    for engine in Engine::all() {
        let tag = unique_tag("kiln-llb-e2e/app");
        let mut build = Build::new(dir.path());
        build.file = Some("kiln.yaml".into());
        if let Err(log) = engine.build_image(&build, &tag) {
            panic!("[{}] the frontend build failed:\n{log}", engine.name);
        }
        let shown = engine.docker_ok(&["image", "inspect", &tag, "--format", "{{json .Config}}"]);
        engine.remove_image(&tag);
        let built: Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(
            inherited(&built),
            inherited(&resolved["image"]["config"]),
            "[{}] the frontend's image config and `kiln llb --resolve-images`'s",
            engine.name
        );
    }
}

/// The Definition `kiln llb --resolve-images` writes is the one the frontend solved: after
/// the frontend built the file on buildkitd, solving kiln llb's bytes there with buildctl
/// (no frontend) finds every op in the cache, so not one step runs again.
#[test]
fn resolved_llb_is_what_the_frontend_solves_on_buildkitd() {
    let engine = Engine::named("buildkitd");
    let base = push_base();
    let dir = tempfile::tempdir().unwrap();
    // A token makes the step new to the daemon: only the frontend's build can have cached it.
    let token = unique_tag("token").replace([':', '-'], "");
    let file = kiln_file(&base).replace("pwd > /tmp/here", &format!("echo {token} > /tmp/here"));
    std::fs::write(dir.path().join("kiln.yaml"), file).unwrap();
    let mut build = Build::new(dir.path());
    build.file = Some("kiln.yaml".into());
    let out = tempfile::tempdir().unwrap();
    if let Err(log) = engine.build_local(&build, out.path()) {
        panic!("the frontend build failed:\n{log}");
    }

    let llb = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["llb", "kiln.yaml", "--resolve-images"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        llb.status.success(),
        "{}",
        String::from_utf8_lossy(&llb.stderr)
    );
    let mut solve = kiln_testbed::buildctl_command(&engine.host);
    let solve = solve
        .args(&engine.tls)
        .args(["build", "--progress", "plain"]);
    let mut child = solve
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&llb.stdout).unwrap();
    let solved = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&solved.stderr);
    assert!(
        solved.status.success(),
        "buildctl solving kiln llb's Definition:\n{log}"
    );
    let vertex = log
        .lines()
        .find(|l| l.contains(&format!("echo {token}")))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("the step's vertex in:\n{log}"));
    assert!(
        log.lines().any(|l| l == format!("{vertex} CACHED")),
        "the step ran again, so the Definitions differ:\n{log}"
    );
}

/// A base image that does not exist is an error that names it, through `kiln llb
/// --resolve-images` and through the frontend on every engine (not an empty config).
#[test]
fn an_unresolvable_base_image_is_named_in_the_error() {
    let missing = unique_tag("localhost:5000/kiln-llb-e2e/missing");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), kiln_file(&missing)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["llb", "kiln.yaml", "--format", "json", "--resolve-images"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot resolve the image {missing}")),
        "{stderr}"
    );

    for engine in Engine::all() {
        let mut build = Build::new(dir.path());
        build.file = Some("kiln.yaml".into());
        let Err(log) = engine.build_image(&build, &unique_tag("kiln-llb-e2e/never")) else {
            panic!("[{}] a build from a missing image succeeded", engine.name);
        };
        assert!(
            log.contains(&format!("cannot resolve the image {missing}")),
            "[{}] the error names the image:\n{log}",
            engine.name
        );
    }
}
