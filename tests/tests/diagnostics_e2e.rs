//! kiln's diagnostics as BuildKit clients show them: warnings through the gateway's `Warn`
//! (buildx lists them after the build), and a check error with an `errdefs.Source` detail
//! (buildx prints the kiln file's snippet). BuildKit v0.8 (Docker 20.10) has no `Warn`: there
//! the build succeeds and an error is kiln's report in the message.

use kiln_testbed::{Build, Engine};
use std::path::Path;

const SYNTAX: &str = "# syntax=localhost:5000/kiln:dev\n";
const WARNS: &str = "version: 1\nargs:\n  UNUSED: x\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo hi\n";
const FAILS: &str = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    stepz:\n      - run: echo hi\n";

fn context() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("warns.yaml"), format!("{SYNTAX}{WARNS}")).unwrap();
    std::fs::write(dir.path().join("fails.yaml"), format!("{SYNTAX}{FAILS}")).unwrap();
    dir
}

/// `docker buildx build -f FILE` on `engine` (its log, and whether it succeeded).
fn buildx(engine: &Engine, dir: &Path, file: &str) -> (String, bool) {
    let out = engine
        .buildx()
        .args(["build", "--progress=plain", "-f"])
        .arg(dir.join(file))
        .arg(format!(
            "--output=type=local,dest={}",
            dir.join("out").display()
        ))
        .arg(dir)
        .output()
        .expect("the docker CLI with the buildx plugin");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (log, out.status.success())
}

#[test]
fn buildx_lists_kiln_warnings_and_shows_the_snippet_of_an_error() {
    let dir = context();
    for engine in Engine::all().into_iter().filter(|e| e.name != "docker20") {
        let (log, ok) = buildx(&engine, dir.path(), "warns.yaml");
        assert!(ok, "[{}] {log}", engine.name);
        assert!(
            log.contains("1 warning found") && log.contains("kiln::unused-arg: arg `UNUSED`"),
            "[{}] the warning, from kiln: {log}",
            engine.name
        );
        let (log, ok) = buildx(&engine, dir.path(), "fails.yaml");
        assert!(!ok, "[{}] {log}", engine.name);
        assert!(
            log.contains(">>>     stepz:"),
            "[{}] buildx shows the snippet at the error's line: {log}",
            engine.name
        );
        assert!(
            log.contains("did you mean `steps`?"),
            "[{}] kiln's report: {log}",
            engine.name
        );
    }
}

#[test]
fn docker_20_10_builds_despite_warnings_and_prints_the_report_of_an_error() {
    let dir = context();
    let engine = Engine::named("docker20");
    let build = |file: &str| Build {
        file: Some(file.into()),
        ..Build::new(dir.path())
    };
    let out = tempfile::tempdir().unwrap();
    engine
        .build_local(&build("warns.yaml"), out.path())
        .unwrap_or_else(|log| panic!("{log}"));
    let log = engine
        .build_local(&build("fails.yaml"), out.path())
        .unwrap_err();
    assert!(
        log.contains("fails.yaml:6:5") && log.contains("unknown key `stepz`"),
        "{log}"
    );
}

/// A `--build-arg` that names no arg of the file (a typo) is a warning with did-you-mean;
/// the build still succeeds, as the Dockerfile frontend's does.
#[test]
fn a_mistyped_build_arg_is_a_warning_that_names_the_arg_meant() {
    let dir = tempfile::tempdir().unwrap();
    let file = "version: 1\nargs:\n  VERSION: \"1\"\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo ${VERSION}\n";
    std::fs::write(dir.path().join("kiln.yaml"), format!("{SYNTAX}{file}")).unwrap();
    for engine in Engine::all().into_iter().filter(|e| e.name != "docker20") {
        let out = engine
            .buildx()
            .args(["build", "--progress=plain", "--build-arg", "VERSON=2", "-f"])
            .arg(dir.path().join("kiln.yaml"))
            .arg(format!(
                "--output=type=local,dest={}",
                dir.path().join("out").display()
            ))
            .arg(dir.path())
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "[{}] {log}", engine.name);
        assert!(
            log.contains(
                "kiln::unknown-build-arg: the build arg `VERSON` names no arg of this file: did you mean `VERSION`?"
            ),
            "[{}] {log}",
            engine.name
        );
    }
}
