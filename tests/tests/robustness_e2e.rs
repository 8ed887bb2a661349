//! Hostile and broken input through the frontend, on every engine (issue 16): a panic
//! inside kiln is an error the user reads, a file over the size limit is `kiln::too-large`,
//! and a file with thousands of errors fails fast with a short report.

use kiln_testbed::{Build, Engine, unique_tag};

mod common;

use common::*;

const DOCKER20: &str = "unix:///var/run/docker.sock";

/// A frontend image that panics at once: kiln's own image with the test hook set, pushed
/// under a tag of this run's own.
fn panicking_frontend() -> String {
    let tag = format!(
        "localhost:5000/{}",
        unique_tag("kiln-e2e/panicking-frontend")
    );
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = "FROM localhost:5000/kiln:dev\nENV KILN_FRONTEND_TEST_PANIC=1\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let context = dir.path().to_str().unwrap();
    for args in [
        vec!["build", "-q", "-t", tag.as_str(), context],
        vec!["push", "-q", tag.as_str()],
    ] {
        let out = std::process::Command::new("/usr/bin/docker")
            .args(&args)
            .env("DOCKER_HOST", DOCKER20)
            .env("DOCKER_BUILDKIT", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "docker {args:?}: {out:?}");
    }
    tag
}

#[test]
fn a_panic_in_the_frontend_is_an_internal_error_the_user_reads() {
    let frontend = panicking_frontend();
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: scratch\n",
    )]);
    for engine in Engine::all() {
        let build = Build {
            frontend: Some(frontend.clone()),
            ..kiln_build(ctx.path())
        };
        let log = engine
            .build_image(&build, &unique_tag("kiln-e2e/never"))
            .expect_err("a panicking frontend fails the build");
        assert!(
            log.contains("kiln-frontend internal error")
                && log.contains("KILN_FRONTEND_TEST_PANIC is set")
                && log.contains("This is a bug in kiln"),
            "[{}] {log}",
            engine.name
        );
    }
}

#[test]
fn a_build_file_over_the_size_limit_is_too_large_not_a_grpc_error() {
    let mut text = String::from("version: 1\nstages:\n  app:\n    from: scratch\n");
    let limit = 8 << 20; // kiln_dsl::budget::MAX_FILE_BYTES
    // Comment lines up to twice the limit (past BuildKit's gRPC message size for a read).
    let line = format!("#{}\n", "x".repeat(1023));
    while text.len() < 2 * limit {
        text.push_str(&line);
    }
    let ctx = context(&[("kiln.yaml", &text)]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/never"))
            .expect_err("too large");
        assert!(
            log.contains("kiln::too-large") && log.contains("larger than the limit"),
            "[{}] {}",
            engine.name,
            &log[log.len().saturating_sub(3000)..]
        );
    }
}

#[test]
fn thousands_of_errors_fail_with_a_short_report() {
    let mut text = String::from("version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n");
    for i in 0..5_000 {
        text.push_str(&format!("      - bogus{i}: x\n"));
    }
    let ctx = context(&[("kiln.yaml", &text)]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/never"))
            .expect_err("errors");
        assert!(
            log.contains("kiln::unknown-key") && log.contains("more errors: `kiln check"),
            "[{}] {}",
            engine.name,
            &log[log.len().saturating_sub(3000)..]
        );
        // 20 errors shown of 5,000: the report stays far below what the client can carry.
        assert!(log.matches("bogus").count() < 200, "[{}]", engine.name);
    }
}

#[test]
fn a_division_by_zero_in_hcl_is_an_error_in_the_optimized_frontend() {
    // hcl-rs checks a number is finite with a debug assertion only; the frontend is built
    // optimized, with that assertion kept on (Cargo.toml), so `1/0` is kiln::eval there too.
    let hcl =
        "version = 1\nstage \"app\" {\n  from = \"scratch\"\n  env = { a = tostring(1/0) }\n}\n";
    let ctx = context(&[("kiln.hcl", hcl)]);
    for engine in Engine::all() {
        let build = Build {
            file: Some(std::path::PathBuf::from("kiln.hcl")),
            ..Build::new(ctx.path())
        };
        let log = engine
            .build_image(&build, &unique_tag("kiln-e2e/never"))
            .expect_err("1/0 is refused");
        assert!(
            log.contains("kiln::eval") && log.contains("this arithmetic cannot be done"),
            "[{}] {}",
            engine.name,
            &log[log.len().saturating_sub(3000)..]
        );
    }
}

#[test]
fn a_dockerignore_over_its_budget_is_refused_not_read_in_full() {
    // 2 MiB of patterns (the budget is 1 MiB: kiln_dsl::budget::MAX_DOCKERIGNORE_BYTES).
    let patterns = format!("{}\n", "x".repeat(1023)).repeat(2048);
    let ctx = context(&[
        (
            "kiln.yaml",
            "version: 1\nstages:\n  app:\n    from: scratch\n",
        ),
        (".dockerignore", &patterns),
    ]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/never"))
            .expect_err("the .dockerignore is too large");
        assert!(
            log.contains("the context's .dockerignore is larger than 1024 KiB"),
            "[{}] {}",
            engine.name,
            &log[log.len().saturating_sub(3000)..]
        );
    }
}
