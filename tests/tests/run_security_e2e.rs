//! A `run` step's `security:` (Dockerfile `RUN --security`, upstream's testRunSecurity*),
//! asserted on kiln's own builds: the built-in Dockerfile frontend of every engine of the
//! bench parses `--security` only as labs syntax (`unknown flag: --security`), so the
//! Dockerfile corpus has no twin to compare with. Needs `scripts/testbed.sh up`.

mod common;

use common::*;
use kiln_testbed::{EmptyBuildkitd, Engine, unique_tag};

/// The bounding set of a default container (Docker's and BuildKit's default capabilities).
const DEFAULT_BOUNDING: &str = "CapBnd:\t00000000a80425fb\n";

/// The bounding set, as `grep` prints it.
const BOUNDING: &str = "grep CapBnd /proc/self/status";

/// The bounding set of this test's own process, as `grep` prints it: what the daemon (started
/// from the same machine) has to give. Upstream expects every capability (`0x3fffffffff`
/// masked); the bench's machine itself lacks CAP_SYS_RESOURCE (`000001fffeffffff`).
fn own_bounding_set() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("CapBnd:")).unwrap();
    format!("{line}\n")
}

/// A stage whose first step runs `first` with `security`, writing `/first`, and a second
/// step without it writing its bounding set to `/then`.
fn first_step_with(security: &str, first: &str) -> tempfile::TempDir {
    context(&[(
        "kiln.yaml",
        &format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: \"{first} > /first\"\n        security: {security}\n      - run: \"{BOUNDING} > /then\"\n"
        ),
    )])
}

#[test]
fn sandbox_and_default_steps_keep_the_default_capabilities() {
    let ctx = first_step_with("sandbox", BOUNDING);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/first", DEFAULT_BOUNDING),
            "[{}]",
            engine.name
        );
        assert!(
            file_is(&image, "/then", DEFAULT_BOUNDING),
            "[{}]",
            engine.name
        );
    }
}

/// On a buildkitd started with `--allow-insecure-entitlement security.insecure` and a client
/// asking for it (`--allow security.insecure`), the step gets every capability the daemon has;
/// the next one is back to the default set.
#[test]
fn an_insecure_step_gets_every_capability_where_the_daemon_allows_it() {
    let daemon = EmptyBuildkitd::start_with(&["--allow-insecure-entitlement", "security.insecure"]);
    let ctx = first_step_with("insecure", BOUNDING);
    let mut build = kiln_build(ctx.path());
    build.allow = vec!["security.insecure".into()];
    let image = build_and_save(&daemon.engine, &build);
    let every = own_bounding_set();
    assert_ne!(
        every, DEFAULT_BOUNDING,
        "the machine has more than the default set"
    );
    assert!(file_is(&image, "/first", &every), "not {every:?}");
    assert!(file_is(&image, "/then", DEFAULT_BOUNDING));
}

/// No daemon of the bench grants an insecure entitlement (their defaults: buildkitd without
/// `--allow-insecure-entitlement`, Docker without `builder.entitlements` in daemon.json): the
/// build fails with the daemon's refusal, though the client asks (buildx or buildctl
/// `--allow security.insecure`).
#[test]
fn an_insecure_step_is_refused_where_the_daemon_does_not_allow_it() {
    let ctx = first_step_with("insecure", BOUNDING);
    let mut build = kiln_build(ctx.path());
    build.allow = vec!["security.insecure".into()];
    for engine in Engine::all() {
        let log = engine
            .build_image(&build, &unique_tag("kiln-e2e/insecure"))
            .unwrap_err();
        assert!(
            log.contains("entitlement security.insecure is not allowed"),
            "[{}] {log}",
            engine.name
        );
    }
}
