//! End to end: kiln files built by the kiln frontend image (`# syntax=localhost:5000/kiln:dev`,
//! built from this code by scripts/frontend-image.sh) on every engine of the bench, with the
//! results checked inside the images. Needs `scripts/testbed.sh up` and the frontend image.

use kiln_testbed::{Build, Engine, EngineKind, FileServer, Kind, compare, sha256_hex, unique_tag};
use std::path::{Path, PathBuf};

mod common;

use common::*;

const MULTISTAGE: &str = r#"version: 1
args:
  GREETING: hello
stages:
  build:
    from: localhost:5000/busybox:1
    workdir: /src
    steps:
      - copy: { src: input.txt, dst: ./ }
      - run: echo "${GREETING} from kiln" > out.txt && cat input.txt >> out.txt
  app:
    from: localhost:5000/busybox:1
    env: { MODE: prod }
    workdir: /app
    steps:
      - copy: { from: build, src: /src/out.txt, dst: /app/out.txt, chmod: "0640" }
    image:
      entrypoint: [cat, /app/out.txt]
      labels: { org.example.kind: demo }
  other:
    from: scratch
    steps:
      - copy: { from: build, src: /src/out.txt, dst: /only.txt }
targets:
  app: { stage: app }
  other: { stage: other }
groups:
  default: [app]
"#;

#[test]
fn multi_stage_build_with_inherited_config() {
    let ctx = context(&[("kiln.yaml", MULTISTAGE), ("input.txt", "input line\n")]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/app/out.txt", "hello from kiln\ninput line\n"),
            "[{}] {:?}",
            engine.name,
            image.files.get("/app/out.txt")
        );
        assert_eq!(image.files["/app/out.txt"].mode, 0o640, "[{}]", engine.name);
        assert!(
            !image.files.contains_key("/src/out.txt"),
            "[{}] only what was copied",
            engine.name
        );
        let config = &image.config["config"];
        let env: Vec<&str> = config["Env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            env.contains(&"MODE=prod") && env.iter().any(|e| e.starts_with("PATH=")),
            "[{}] {env:?}",
            engine.name
        );
        assert!(
            !env.iter().any(|e| e.starts_with("GREETING")),
            "[{}] args are never stored",
            engine.name
        );
        assert_eq!(config["WorkingDir"], "/app");
        assert_eq!(
            config["Entrypoint"],
            serde_json::json!(["cat", "/app/out.txt"])
        );
        assert_eq!(
            config["Cmd"],
            serde_json::Value::Null,
            "[{}] an entrypoint clears the base's cmd",
            engine.name
        );
        assert_eq!(config["Labels"]["org.example.kind"], "demo");
        // The image runs.
        let tag = unique_tag("kiln-e2e/run");
        engine.build_image(&kiln_build(ctx.path()), &tag).unwrap();
        let output = engine.run_ok(&tag, &[]);
        assert_eq!(output, "hello from kiln\ninput line\n");
        engine.remove_image(&tag);
    }
}

#[test]
fn build_args_and_targets() {
    let ctx = context(&[("kiln.yaml", MULTISTAGE), ("input.txt", "x\n")]);
    for engine in Engine::all() {
        let build = Build {
            target: Some("other".into()),
            build_args: vec![("GREETING".into(), "hi".into())],
            ..kiln_build(ctx.path())
        };
        let image = build_and_save(&engine, &build);
        assert!(
            file_is(&image, "/only.txt", "hi from kiln\nx\n"),
            "[{}]",
            engine.name
        );
        assert_eq!(
            image.files.len(),
            1,
            "[{}] a scratch stage holds only its copy: {:?}",
            engine.name,
            image.files.keys()
        );
    }
}

#[test]
fn a_check_error_shows_the_kiln_diagnostic() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    form: localhost:5000/busybox:1\n",
    )]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/bad"))
            .unwrap_err();
        assert!(log.contains("kiln::unknown-key"), "[{}] {log}", engine.name);
        assert!(
            log.contains("kiln.yaml:5:5"),
            "[{}] the position counts the syntax line: {log}",
            engine.name
        );
        assert!(
            log.contains("did you mean `from`?"),
            "[{}] {log}",
            engine.name
        );
    }
}

#[test]
fn a_failing_step_names_the_file_and_line() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo fine\n      - run: exit 3\n",
    )]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/fail"))
            .unwrap_err();
        assert!(
            log.contains("kiln.yaml:8: [app 2/2] run: exit 3 failed"),
            "[{}] {log}",
            engine.name
        );
        assert!(
            log.contains("exit code: 3"),
            "[{}] BuildKit's own message is kept: {log}",
            engine.name
        );
    }
}

#[test]
fn secrets_reach_the_step_but_never_the_image() {
    let secret = "s3cr3t-value-for-kiln";
    let ctx = context(&[
        (
            "kiln.yaml",
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: wc -c < /run/secrets/token > /secret-length\n        mounts:\n          - secret: token\n            required: true\n",
        ),
        ("token.txt", secret),
    ]);
    for engine in Engine::all() {
        let tag = unique_tag("kiln-e2e/secret");
        let src = format!("id=token,src={}", ctx.path().join("token.txt").display());
        let build = Build {
            secrets: vec![src],
            ..kiln_build(ctx.path())
        };
        if let Err(log) = engine.build_image(&build, &tag) {
            panic!("[{}] {log}", engine.name);
        }
        let image = engine.save(&tag);
        assert!(
            file_is(&image, "/secret-length", &format!("{}\n", secret.len())),
            "[{}]",
            engine.name
        );
        let secret_hash = sha256_hex(secret.as_bytes());
        assert!(
            image.files.values().all(|e| e.kind
                != Kind::File {
                    size: secret.len() as u64,
                    sha256: secret_hash.clone()
                }),
            "[{}] the secret is not a file of the image",
            engine.name
        );
        assert!(
            !image.files.contains_key("/run/secrets/token"),
            "[{}]",
            engine.name
        );
        assert!(
            !image.config.to_string().contains(secret),
            "[{}] nor in its config or history",
            engine.name
        );
        engine.remove_image(&tag);
    }
}

#[test]
fn network_none_has_no_network() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: grep -c ':' /proc/net/dev > /interfaces\n        network: none\n",
    )]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/interfaces", "1\n"),
            "[{}] only the loopback interface",
            engine.name
        );
    }
}

#[test]
fn cache_mounts_survive_between_builds() {
    let file = "version: 1\nargs:\n  N: \"1\"\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: ls /cache > /seen; touch /cache/run-${N}\n        mounts:\n          - cache: /cache\n            id: kiln-e2e-cache\n";
    let ctx = context(&[("kiln.yaml", file)]);
    for engine in Engine::all() {
        let first = Build {
            build_args: vec![("N".into(), format!("{}a", std::process::id()))],
            ..kiln_build(ctx.path())
        };
        build_and_save(&engine, &first);
        let second = Build {
            build_args: vec![("N".into(), format!("{}b", std::process::id()))],
            ..kiln_build(ctx.path())
        };
        let image = build_and_save(&engine, &second);
        let seen = image.files.get("/seen").expect("the step ran");
        assert!(
            matches!(seen.kind, Kind::File { size, .. } if size > 0),
            "[{}] the second build saw the first's file",
            engine.name
        );
        assert!(
            !image.files.keys().any(|p| p.starts_with("/cache/")),
            "[{}] cache contents stay out of the image",
            engine.name
        );
    }
}

#[test]
fn same_files_and_config_as_a_dockerfile_twin() {
    let kiln = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    env: { APP_HOME: /srv/app }\n    workdir: /srv/app\n    steps:\n      - copy: { src: conf/, dst: ./conf/ }\n      - run: echo built > built.txt && mkdir -p data\n      - user: nobody\n    image:\n      entrypoint: [/bin/sh, -c]\n      cmd: [\"cat built.txt\"]\n      expose: [8080]\n      labels: { a: b }\n";
    let dockerfile = "FROM localhost:5000/busybox:1\nENV APP_HOME=/srv/app\nWORKDIR /srv/app\nCOPY conf/ ./conf/\nRUN echo built > built.txt && mkdir -p data\nUSER nobody\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"cat built.txt\"]\nEXPOSE 8080\nLABEL a=b\n";
    let ctx = context(&[
        ("kiln.yaml", kiln),
        ("Dockerfile", dockerfile),
        ("conf/app.conf", "key=value\n"),
        ("conf/sub/x", "x\n"),
    ]);
    for engine in Engine::all() {
        let ours = build_and_save(&engine, &kiln_build(ctx.path()));
        let twin = build_and_save(&engine, &Build::new(ctx.path()));
        let diffs: Vec<String> = compare(&ours, &twin)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            diffs.is_empty(),
            "[{}] kiln vs Dockerfile:\n{}",
            engine.name,
            diffs.join("\n")
        );
    }
}

#[test]
fn buildx_shows_the_kiln_snippet_of_a_failing_step() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: exit 7\n",
    )]);
    for engine in Engine::all().into_iter().filter(|e| e.name != "docker20") {
        let out = engine
            .buildx()
            .args(["build", "--progress=plain", "-f"])
            .arg(ctx.path().join("kiln.yaml"))
            .arg(ctx.path())
            .output()
            .expect("the docker CLI with the buildx plugin");
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "{log}");
        assert!(
            log.contains("kiln.yaml:7"),
            "buildx names our file and line: {log}"
        );
        assert!(
            log.contains(">>>") && log.contains("- run: exit 7"),
            "[{}] buildx prints the snippet from our source map: {log}",
            engine.name
        );
    }
}

#[test]
fn the_demo_example_builds_and_runs() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo");
    for engine in Engine::all() {
        let tag = unique_tag("kiln-e2e/demo");
        engine
            .build_image(&kiln_build(&demo), &tag)
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        let output = engine.run_ok(&tag, &[]);
        assert_eq!(
            output,
            "Hello from a kiln build on x86_64!\nThis image was built by BuildKit, through the kiln frontend.\n",
            "[{}]",
            engine.name
        );
        engine.remove_image(&tag);
    }
}

#[test]
fn buildkit_syntax_build_arg_chooses_the_frontend_too() {
    // No `# syntax=` line: the frontend comes from the BUILDKIT_SYNTAX build arg.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("build.kiln.yaml"),
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo by-arg > /how\n",
    )
    .unwrap();
    for engine in Engine::all() {
        let build = Build {
            file: Some(PathBuf::from("build.kiln.yaml")),
            frontend: Some(frontend_image()),
            ..Build::new(dir.path())
        };
        let image = build_and_save(&engine, &build);
        assert!(file_is(&image, "/how", "by-arg\n"), "[{}]", engine.name);
    }
}

#[test]
fn each_declared_platform_builds_and_runs_its_own_architecture() {
    // Docker's own clients send one platform per build (the docker driver refuses several),
    // so each platform is built on its own; several in one request go through the same code.
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: uname -m > /arch\ntargets:\n  app: { stage: app, platforms: [linux/amd64, linux/arm64] }\n",
    )]);
    for engine in Engine::all() {
        for (platform, arch) in [("linux/amd64", "x86_64"), ("linux/arm64", "aarch64")] {
            let out = tempfile::tempdir().unwrap();
            let build = Build {
                platform: Some(platform.into()),
                ..kiln_build(ctx.path())
            };
            engine
                .build_local(&build, out.path())
                .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
            let found = std::fs::read_to_string(out.path().join("arch")).unwrap();
            assert_eq!(found.trim(), arch, "[{}] {platform}", engine.name);
        }
        let out = tempfile::tempdir().unwrap();
        let undeclared = Build {
            platform: Some("linux/s390x".into()),
            ..kiln_build(ctx.path())
        };
        let log = engine.build_local(&undeclared, out.path()).unwrap_err();
        assert!(
            log.contains("does not declare platform `linux/s390x`"),
            "[{}] {log}",
            engine.name
        );
    }
}

#[test]
fn dockerignore_keeps_files_out_of_context_copies() {
    let ctx = context(&[
        (
            "kiln.yaml",
            "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: { src: ., dst: /ctx/ }\n",
        ),
        (".dockerignore", "secret.txt\n*.log\n"),
        ("keep.txt", "keep\n"),
        ("secret.txt", "do not send\n"),
        ("debug.log", "noise\n"),
    ]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/ctx/keep.txt", "keep\n"),
            "[{}] {:?}",
            engine.name,
            image.files.keys()
        );
        assert!(
            !image.files.contains_key("/ctx/secret.txt")
                && !image.files.contains_key("/ctx/debug.log"),
            "[{}]",
            engine.name
        );
    }
}

#[test]
fn named_contexts_from_buildx() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: { context: assets, src: logo.txt, dst: /assets/ }\n",
    )]);
    let assets = context(&[("logo.txt", "logo\n")]);
    for engine in Engine::all().into_iter().filter(|e| e.name != "docker20") {
        let out = tempfile::tempdir().unwrap();
        let status = engine
            .buildx()
            .args(["build", "--progress=plain", "-f"])
            .arg(ctx.path().join("kiln.yaml"))
            .arg(format!(
                "--build-context=assets={}",
                assets.path().display()
            ))
            .arg(format!("--output=type=local,dest={}", out.path().display()))
            .arg(ctx.path())
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "[{}] {}",
            engine.name,
            String::from_utf8_lossy(&status.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(out.path().join("assets/logo.txt")).unwrap(),
            "logo\n"
        );
    }
}

/// Build `tar` as the whole context, the way a client without a session sends it: in the
/// request body of the Engine API (`docker build - < context.tar`), or as an HTTP URL in the
/// `context` option on buildkitd. Returns the log.
fn build_from_tar(engine: &Engine, tar: &Path, tag: &str, extra: &[&str]) -> String {
    if engine.kind == EngineKind::Buildkitd {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(tar, dir.path().join("context.tar")).unwrap();
        let server = FileServer::serve(dir);
        let no_local_files = tempfile::tempdir().unwrap();
        let mut build = Build::new(no_local_files.path());
        build.file = Some("kiln.yaml".into());
        build.frontend = Some(frontend_image());
        build.extra = vec![
            "--opt".into(),
            format!("context=http://127.0.0.1:{}/context.tar", server.port),
        ];
        build.extra.extend(extra.iter().map(|e| e.to_string()));
        return engine
            .build_image(&build, tag)
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
    }
    let out = std::process::Command::new("/usr/bin/docker")
        .args(["build", "--progress=plain", "-f", "kiln.yaml", "-t", tag])
        .args(extra)
        .arg("-")
        .stdin(std::fs::File::open(tar).unwrap())
        .env("DOCKER_HOST", &engine.host)
        .env("DOCKER_BUILDKIT", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "[{}] {extra:?}: {log}", engine.name);
    log
}

#[test]
fn a_tar_context_in_the_request_body_works() {
    // `docker build -f kiln.yaml - < context.tar`: the Engine API path that bollard uses; the
    // frontend gets `context=http://build-context-...` and no client directories.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo");
    let tar = tempfile::NamedTempFile::new().unwrap();
    let status = std::process::Command::new("tar")
        .arg("-C")
        .arg(&demo)
        .arg("-cf")
        .arg(tar.path())
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    for engine in Engine::all() {
        // `--no-cache` too: `kiln bake --no-cache` always sends a tar.
        for extra in [&[][..], &["--no-cache"]] {
            let tag = unique_tag("kiln-e2e/tar");
            let log = build_from_tar(&engine, tar.path(), &tag, extra);
            // The session path loads `.dockerignore` from the client; the tar path cannot.
            assert!(
                !log.contains("[internal] load .dockerignore"),
                "[{}] the tar path was taken: {log}",
                engine.name
            );
            let output = engine.run_ok(&tag, &[]);
            assert!(
                output.starts_with("Hello from a kiln build"),
                "[{}] {extra:?}: {output}",
                engine.name
            );
            engine.remove_image(&tag);
        }
    }
}

#[test]
fn features_are_gated_by_the_daemons_caps() {
    // `symlink` needs BuildKit v0.19 (file.symlink.create): refused with a kiln diagnostic on
    // Docker 20.10 (v0.8), built on the current engine.
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - symlink: { target: /bin/busybox, path: /bin/bb }\n",
    )]);
    for engine in Engine::all() {
        let result = engine.build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/caps"));
        match engine.name {
            "docker20" => {
                let log = result.unwrap_err();
                assert!(
                    log.contains("kiln::unsupported-feature")
                        && log.contains("file.symlink.create"),
                    "{log}"
                );
                assert!(log.contains("kiln.yaml:7:9"), "points at the step: {log}");
            }
            _ => {
                result.unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
                let image = build_and_save(&engine, &kiln_build(ctx.path()));
                assert_eq!(
                    image.files["/bin/bb"].kind,
                    Kind::Symlink {
                        target: "/bin/busybox".into()
                    }
                );
            }
        }
    }
}
