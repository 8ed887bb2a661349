//! Self-test of the bench, on each engine: a Dockerfile build with RUN from the registry's
//! busybox, an arm64 RUN under QEMU, a push and pull through the registry, and the image
//! comparison (zero differences against itself, exactly the expected ones otherwise).
//! Needs `scripts/testbed.sh up`; fails (never skips) without it.

use kiln_testbed::{Build, Difference, Engine, compare, sha256_hex, unique_tag};
use std::path::Path;

fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

#[test]
fn dockerfile_build_with_run_on_each_engine() {
    let ctx = context(&[(
        "Dockerfile",
        "FROM localhost:5000/busybox:1\nRUN echo built-by-run > /built\n",
    )]);
    for engine in Engine::all() {
        let tag = unique_tag("kiln-selftest/run");
        engine
            .build_image(&Build::new(ctx.path()), &tag)
            .unwrap_or_else(|log| panic!("[{}] build failed:\n{log}", engine.name));
        let image = engine.save(&tag);
        assert_eq!(
            image.file_sha256("/built"),
            Some(sha256_hex(b"built-by-run\n").as_str()),
            "[{}]",
            engine.name
        );
        assert!(
            image.files.contains_key("/bin/busybox"),
            "[{}] the base's files are there",
            engine.name
        );
        assert_eq!(
            image.config["config"]["Cmd"],
            serde_json::json!(["sh"]),
            "[{}] config inherited",
            engine.name
        );
        engine.remove_image(&tag);
    }
}

#[test]
fn arm64_run_steps_execute_under_qemu() {
    let ctx = context(&[(
        "Dockerfile",
        "FROM localhost:5000/busybox:1\nRUN uname -m > /arch\n",
    )]);
    for engine in Engine::all() {
        let out = tempfile::tempdir().unwrap();
        let build = Build {
            platform: Some("linux/arm64".into()),
            ..Build::new(ctx.path())
        };
        engine
            .build_local(&build, out.path())
            .unwrap_or_else(|log| panic!("[{}] arm64 build failed:\n{log}", engine.name));
        let arch = std::fs::read_to_string(out.path().join("arch")).unwrap();
        assert_eq!(arch.trim(), "aarch64", "[{}]", engine.name);
    }
}

#[test]
fn push_and_pull_through_the_registry() {
    let ctx = context(&[(
        "Dockerfile",
        "FROM localhost:5000/busybox:1\nARG STAMP\nRUN echo $STAMP > /stamp\n",
    )]);
    for engine in Engine::all() {
        let tag = unique_tag(&format!("localhost:5000/kiln-selftest-{}", engine.name));
        let stamp = tag.clone();
        let build = Build {
            build_args: vec![("STAMP".into(), stamp.clone())],
            ..Build::new(ctx.path())
        };
        engine
            .build_image(&build, &tag)
            .unwrap_or_else(|log| panic!("[{}] build failed:\n{log}", engine.name));
        engine.docker_ok(&["push", &tag]);
        engine.remove_image(&tag);
        engine.docker_ok(&["pull", &tag]);
        let image = engine.save(&tag);
        assert_eq!(
            image.file_sha256("/stamp"),
            Some(sha256_hex(format!("{stamp}\n").as_bytes()).as_str())
        );
        engine.remove_image(&tag);
    }
}

#[test]
fn image_comparison_finds_exactly_the_differences() {
    let base = "FROM localhost:5000/busybox:1\nRUN echo data > /data && chmod 0644 /data\n";
    let left = context(&[("Dockerfile", &format!("{base}ENV MODE=one\n"))]);
    let right = context(&[(
        "Dockerfile",
        &format!("{base}RUN chmod 0600 /data\nENV MODE=two\n"),
    )]);
    for engine in Engine::all() {
        let (a, b) = (
            unique_tag("kiln-selftest/left"),
            unique_tag("kiln-selftest/right"),
        );
        for (dir, tag) in [(left.path(), &a), (right.path(), &b)] {
            engine
                .build_image(&Build::new(Path::new(dir)), tag)
                .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        }
        let (left_image, right_image) = (engine.save(&a), engine.save(&b));
        assert_eq!(
            compare(&left_image, &left_image),
            vec![],
            "[{}] an image equals itself",
            engine.name
        );
        let diffs = compare(&left_image, &right_image);
        let shown: Vec<String> = diffs.iter().map(ToString::to_string).collect();
        assert_eq!(diffs.len(), 2, "[{}] {shown:#?}", engine.name);
        assert_eq!(
            diffs[0],
            Difference::Mode {
                path: "/data".into(),
                left: 0o644,
                right: 0o600
            }
        );
        assert!(
            matches!(&diffs[1], Difference::Config { field: "Env", .. }),
            "{shown:?}"
        );
        engine.remove_image(&a);
        engine.remove_image(&b);
    }
}
