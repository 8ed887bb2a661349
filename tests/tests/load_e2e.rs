//! Load on the real engines (issue 16): 20 kiln builds at once on each engine, each getting
//! its own result, and a client killed halfway through a build leaving the daemon able to
//! build. The whole daemon tier also runs while a second copy of some of it runs
//! (scripts/concurrency.sh, called by scripts/test.sh).
//! Needs `scripts/testbed.sh up` and the frontend image.

mod common;

use common::*;
use kiln_testbed::{Engine, unique_tag};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const CONCURRENT_BUILDS: usize = 20;

/// A build file whose result holds `nonce` (so no two builds share a cache entry).
fn nonce_file(nonce: &str) -> String {
    format!(
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo {nonce} > /nonce\n"
    )
}

/// The build succeeded and wrote its own nonce (no other build's) into `out`.
fn assert_built_nonce(engine: &Engine, done: &std::process::Output, out: &Path, nonce: &str) {
    assert!(
        done.status.success(),
        "[{}] {}",
        engine.name,
        String::from_utf8_lossy(&done.stderr)
    );
    let written = std::fs::read_to_string(out.join("nonce")).unwrap_or_default();
    assert_eq!(written, format!("{nonce}\n"), "[{}]", engine.name);
}

#[test]
fn twenty_builds_at_once_each_get_their_own_result() {
    for engine in Engine::all() {
        let builds: Vec<_> = (0..CONCURRENT_BUILDS)
            .map(|i| {
                let nonce = unique_tag(&format!("load-{i}"));
                let ctx = context(&[("kiln.yaml", &nonce_file(&nonce))]);
                let out = tempfile::tempdir().unwrap();
                let child = engine
                    .local_build_command(&kiln_build(ctx.path()), out.path())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("the build client starts");
                (nonce, ctx, out, child)
            })
            .collect();
        for (nonce, _ctx, out, child) in builds {
            let done = child.wait_with_output().unwrap();
            assert_built_nonce(&engine, &done, out.path(), &nonce);
        }
    }
}

#[test]
fn a_client_killed_during_a_build_leaves_the_daemon_building() {
    for engine in Engine::all() {
        let slow = context(&[(
            "kiln.yaml",
            &format!(
                "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo {} && sleep 30\n",
                unique_tag("killed")
            ),
        )]);
        let out = tempfile::tempdir().unwrap();
        let mut client = engine
            .local_build_command(&kiln_build(slow.path()), out.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Long enough for the frontend to run and the step to start.
        std::thread::sleep(Duration::from_secs(6));
        client.kill().unwrap();
        client.wait().unwrap();

        let started = Instant::now();
        let nonce = unique_tag("after-kill");
        let ctx = context(&[("kiln.yaml", &nonce_file(&nonce))]);
        let next = tempfile::tempdir().unwrap();
        let done = engine
            .local_build_command(&kiln_build(ctx.path()), next.path())
            .output()
            .unwrap();
        assert_built_nonce(&engine, &done, next.path(), &nonce);
        // Not a timing assertion: a daemon stuck on the killed build's 30 s step would
        // make this one wait for it.
        eprintln!(
            "[{}] build after a killed client: {:?}",
            engine.name,
            started.elapsed()
        );
    }
}
