//! End to end: kiln files built by the kiln frontend image (`# syntax=localhost:5000/kiln:dev`,
//! built from this code by scripts/frontend-image.sh) on both engines of the bench, with the
//! results checked inside the images. Needs `scripts/testbed.sh up` and the frontend image.

use kiln_testbed::{
    Build, Engine, EngineKind, FileServer, Image, Kind, compare, sha256_hex, unique_tag,
};
use std::path::{Path, PathBuf};

const SYNTAX: &str = "# syntax=localhost:5000/kiln:dev\n";

/// A build context with the given files; `kiln.yaml` gets the syntax line.
fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = if name.ends_with(".yaml") || name.ends_with(".hcl") {
            format!("{SYNTAX}{content}")
        } else {
            content.to_string()
        };
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn kiln_build(dir: &Path) -> Build {
    Build {
        file: Some(PathBuf::from("kiln.yaml")),
        ..Build::new(dir)
    }
}

fn build_and_save(engine: &Engine, build: &Build) -> Image {
    let tag = unique_tag("kiln-e2e/image");
    engine
        .build_image(build, &tag)
        .unwrap_or_else(|log| panic!("[{}] build failed:\n{log}", engine.name));
    let image = engine.save(&tag);
    engine.remove_image(&tag);
    image
}

fn file_is(image: &Image, path: &str, content: &str) -> bool {
    image.file_sha256(path) == Some(sha256_hex(content.as_bytes()).as_str())
}

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
fn downloads_are_checked_against_their_sha256() {
    let content = b"#!/bin/sh\necho tool\n";
    let server = FileServer::start(&[("tool.sh", content)]);
    let url = format!("http://127.0.0.1:{}/tool.sh", server.port);
    let file = |sha: &str| {
        format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download:\n          url: {url}\n          sha256: {sha}\n          dst: /usr/local/bin/tool\n          mode: \"0755\"\n"
        )
    };
    let good = context(&[("kiln.yaml", &file(&sha256_hex(content)))]);
    let bad = context(&[("kiln.yaml", &file(&sha256_hex(b"something else")))]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(good.path()));
        assert!(
            file_is(
                &image,
                "/usr/local/bin/tool",
                std::str::from_utf8(content).unwrap()
            ),
            "[{}]",
            engine.name
        );
        assert_eq!(
            image.files["/usr/local/bin/tool"].mode, 0o755,
            "[{}]",
            engine.name
        );
        let log = engine
            .build_image(&kiln_build(bad.path()), &unique_tag("kiln-e2e/sha"))
            .unwrap_err();
        assert!(
            log.to_lowercase().contains("digest") || log.to_lowercase().contains("checksum"),
            "[{}] {log}",
            engine.name
        );
        assert!(
            log.contains("kiln.yaml:7"),
            "[{}] the download step's line: {log}",
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
            frontend: Some("localhost:5000/kiln:dev".into()),
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
        build.frontend = Some("localhost:5000/kiln:dev".into());
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

#[test]
fn packages_install_with_the_base_images_manager_and_leave_no_lists() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq]\n    steps:\n      - run: jq --version > /jq-version\n",
    )]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/jq-version", "jq-1.6\n"),
            "[{}]",
            engine.name
        );
        assert!(image.files.contains_key("/usr/bin/jq"), "[{}]", engine.name);
        let lists: Vec<&String> = image
            .files
            .keys()
            .filter(|p| p.starts_with("/var/lib/apt/lists/"))
            .collect();
        assert!(
            lists.is_empty(),
            "[{}] apt lists stay in the cache mount: {lists:?}",
            engine.name
        );
        let debs = image.files.keys().filter(|p| p.ends_with(".deb")).count();
        assert_eq!(
            debs, 0,
            "[{}] no downloaded packages in the image",
            engine.name
        );
    }
}

/// A context holding an example file (as `kiln.yaml`) and the given files.
fn example_context(example: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(example),
    )
    .unwrap();
    let dir = context(files);
    // The examples carry their own `# syntax=` line.
    std::fs::write(dir.path().join("kiln.yaml"), text).unwrap();
    dir
}

#[test]
fn the_group_example_builds_its_targets() {
    let ctx = example_context(
        "group.kiln.yaml",
        &[
            ("api/api", "#!/bin/sh\necho api\n"),
            ("worker/worker", "#!/bin/sh\necho worker $2\n"),
            ("docs/index.html", "<h1>docs</h1>\n"),
        ],
    );
    std::fs::set_permissions(
        ctx.path().join("api/api"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    std::fs::set_permissions(
        ctx.path().join("worker/worker"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    for engine in Engine::all() {
        for (target, expected) in [("api", "api\n"), ("worker", "worker jobs\n")] {
            let tag = unique_tag("kiln-e2e/group");
            let build = Build {
                target: Some(target.into()),
                ..kiln_build(ctx.path())
            };
            engine
                .build_image(&build, &tag)
                .unwrap_or_else(|log| panic!("[{}] {target}: {log}", engine.name));
            assert_eq!(
                engine.run_ok(&tag, &[]),
                expected,
                "[{}] {target}",
                engine.name
            );
            let image = engine.save(&tag);
            assert_eq!(
                image.config["config"]["WorkingDir"], "/srv",
                "[{}] {target}",
                engine.name
            );
            assert!(
                image
                    .files
                    .contains_key("/etc/ssl/certs/ca-certificates.crt"),
                "[{}] packages of the shared base",
                engine.name
            );
            engine.remove_image(&tag);
        }
        let image = build_and_save(
            &engine,
            &Build {
                target: Some("docs".into()),
                ..kiln_build(ctx.path())
            },
        );
        assert!(
            file_is(&image, "/www/index.html", "<h1>docs</h1>\n"),
            "[{}] docs",
            engine.name
        );
        assert_eq!(
            image.config["config"]["Cmd"],
            serde_json::json!(["httpd", "-f", "-h", "/www"])
        );
    }
}

#[test]
fn the_python_example_builds_and_runs() {
    let ctx = example_context(
        "python-app.kiln.yaml",
        &[
            ("requirements.txt", ""),
            ("app/__init__.py", ""),
            (
                "app/__main__.py",
                "import sys\nprint('serving on', sys.argv[-1])\n",
            ),
        ],
    );
    for engine in Engine::all() {
        let tag = unique_tag("kiln-e2e/python");
        engine
            .build_image(&kiln_build(ctx.path()), &tag)
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        assert_eq!(
            engine.run_ok(&tag, &[]),
            "serving on 8000\n",
            "[{}]",
            engine.name
        );
        let image = engine.save(&tag);
        assert_eq!(
            image.files["/app/app/__main__.py"].uid, 1000,
            "[{}] chown of the copy",
            engine.name
        );
        assert_eq!(
            image.files["/app/data"].mode, 0o750,
            "[{}] mkdir mode",
            engine.name
        );
        assert_eq!(image.config["config"]["User"], "1000");
        assert_eq!(
            image.config["config"]["Volumes"],
            serde_json::json!({ "/app/data": {} })
        );
        engine.remove_image(&tag);
    }
}

#[test]
fn a_base_without_a_package_manager_is_a_clear_error() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    packages: [jq]\n",
    )]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/nopm"))
            .unwrap_err();
        assert!(
            log.contains("kiln::no-package-manager"),
            "[{}] {log}",
            engine.name
        );
        assert!(
            log.contains("the base image `localhost:5000/busybox:1` has no package manager"),
            "[{}] {log}",
            engine.name
        );
        assert!(
            log.contains("kiln.yaml:6:16"),
            "[{}] points at the packages: {log}",
            engine.name
        );
    }
}

#[test]
fn downloaded_packages_are_reused_by_the_next_build() {
    let first = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq]\n",
    )]);
    let second = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq, bzip2]\n",
    )]);
    for engine in Engine::all() {
        build_and_save(&engine, &kiln_build(first.path()));
        let tag = unique_tag("kiln-e2e/reuse");
        let log = engine
            .build_image(&kiln_build(second.path()), &tag)
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        assert!(
            log.contains("packages: jq bzip2"),
            "[{}] the install ran again: {log}",
            engine.name
        );
        let downloads: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("Get:") && l.contains(" amd64 "))
            .collect();
        assert!(
            !downloads
                .iter()
                .any(|l| l.contains(" jq ") || l.contains("libjq")),
            "[{}] jq came from the cache: {downloads:#?}",
            engine.name
        );
        let image = engine.save(&tag);
        assert!(
            image.files.contains_key("/usr/bin/jq") && image.files.contains_key("/usr/bin/bzip2"),
            "[{}]",
            engine.name
        );
        assert!(
            !image.files.keys().any(|p| p.ends_with(".deb")),
            "[{}]",
            engine.name
        );
        engine.remove_image(&tag);
    }
}

#[test]
fn downloads_can_be_extracted() {
    // A .tar.gz with bin/tool, made here, served on 127.0.0.1.
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let content = b"#!/bin/sh\necho unpacked\n";
    let mut header = tar::Header::new_gnu();
    header.set_mode(0o755);
    header.set_size(content.len() as u64);
    builder
        .append_data(&mut header, "bin/tool", &content[..])
        .unwrap();
    let archive = builder.into_inner().unwrap().finish().unwrap();
    let server = FileServer::start(&[("tool.tar.gz", &archive)]);
    let file = format!(
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download:\n          url: http://127.0.0.1:{}/tool.tar.gz\n          sha256: {}\n          dst: /opt/tool\n          extract: true\n",
        server.port,
        sha256_hex(&archive)
    );
    let ctx = context(&[("kiln.yaml", &file)]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/opt/tool/bin/tool", "#!/bin/sh\necho unpacked\n"),
            "[{}] {:?}",
            engine.name,
            image
                .files
                .keys()
                .filter(|k| k.starts_with("/opt"))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            image.files["/opt/tool/bin/tool"].mode, 0o755,
            "[{}]",
            engine.name
        );
        assert!(
            !image.files.contains_key("/opt/tool/tool.tar.gz"),
            "[{}] the archive itself is not kept",
            engine.name
        );
    }
}

#[test]
fn copies_from_a_git_repository_pinned_to_a_commit() {
    // A repository made here, served over HTTP (git's "dumb" protocol) on 127.0.0.1.
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_AUTHOR_NAME", "kiln")
            .env("GIT_AUTHOR_EMAIL", "kiln@example.invalid")
            .env("GIT_COMMITTER_NAME", "kiln")
            .env("GIT_COMMITTER_EMAIL", "kiln@example.invalid")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("hello.txt"), "from git, first\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "first"]);
    let first = git(&["rev-parse", "HEAD"]);
    std::fs::write(repo.join("hello.txt"), "from git, second\n").unwrap();
    std::fs::create_dir_all(repo.join("tools/cli")).unwrap();
    std::fs::write(repo.join("tools/cli/run.sh"), "echo cli\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-am", "second"]);
    git(&["update-server-info"]);
    let server = FileServer::serve(dir);
    let url = format!("http://127.0.0.1:{}/repo/.git", server.port);
    let file = |pin: &str| {
        format!(
            "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: {{ git: {{ url: \"{url}\", {pin} }}, src: hello.txt, dst: /hello.txt }}\n"
        )
    };
    let pinned = context(&[("kiln.yaml", &file(&format!("commit: {first}")))]);
    let branch = context(&[("kiln.yaml", &file("ref: main"))]);
    let subdir = context(&[(
        "kiln.yaml",
        &format!(
            "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: {{ git: {{ url: \"{url}\", ref: main, subdir: tools }}, src: cli/, dst: /cli/ }}\n"
        ),
    )]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(pinned.path()));
        assert!(
            file_is(&image, "/hello.txt", "from git, first\n"),
            "[{}] the pinned commit",
            engine.name
        );
        let image = build_and_save(&engine, &kiln_build(branch.path()));
        assert!(
            file_is(&image, "/hello.txt", "from git, second\n"),
            "[{}] the branch head",
            engine.name
        );
        let image = build_and_save(&engine, &kiln_build(subdir.path()));
        assert!(
            file_is(&image, "/cli/run.sh", "echo cli\n") && !image.files.contains_key("/cli/cli"),
            "[{}] src relative to the subdir, contents copied: {:?}",
            engine.name,
            image.files.keys().collect::<Vec<_>>()
        );
    }
}

/// Run a command and fail with its output unless it succeeds.
fn run_ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A flat apt repository holding one package, `kiln-hello`, signed by a fresh key:
/// returns its directory (with `trusted.asc`, the signing key, and `other.asc`, a key
/// that signs nothing).
fn signed_apt_repository() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let pkg = work.path().join("pkg");
    std::fs::create_dir_all(pkg.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(pkg.join("usr/bin")).unwrap();
    std::fs::write(
        pkg.join("DEBIAN/control"),
        "Package: kiln-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: kiln <kiln@example.invalid>\nDescription: says hello\n",
    )
    .unwrap();
    let bin = pkg.join("usr/bin/kiln-hello");
    std::fs::write(&bin, "#!/bin/sh\necho hello from a signed repository\n").unwrap();
    std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    run_ok(
        std::process::Command::new("dpkg-deb")
            .args(["--build", "--root-owner-group"])
            .arg(&pkg)
            .arg(repo.path().join("kiln-hello_1.0_all.deb")),
    );
    let packages = run_ok(
        std::process::Command::new("dpkg-scanpackages")
            .args([".", "/dev/null"])
            .current_dir(repo.path()),
    );
    std::fs::write(repo.path().join("Packages"), &packages).unwrap();
    let release = format!(
        "Origin: kiln-test\nLabel: kiln-test\nDate: {}\nSHA256:\n {} {} Packages\n",
        run_ok(std::process::Command::new("date").args(["-u", "-R"])).trim(),
        sha256_hex(packages.as_bytes()),
        packages.len()
    );
    std::fs::write(repo.path().join("Release"), release).unwrap();
    let gpg = |home: &Path, args: &[&str]| {
        run_ok(
            std::process::Command::new("gpg")
                .arg("--homedir")
                .arg(home)
                .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
                .args(args)
                .current_dir(repo.path()),
        )
    };
    for (home, uid, file) in [
        ("trusted", "kiln repo <repo@example.invalid>", "trusted.asc"),
        ("other", "someone else <else@example.invalid>", "other.asc"),
    ] {
        let home = work.path().join(home);
        std::fs::create_dir_all(&home).unwrap();
        std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        gpg(&home, &["--quick-gen-key", uid, "ed25519", "sign", "never"]);
        let key = gpg(&home, &["--armor", "--export"]);
        std::fs::write(repo.path().join(file), key).unwrap();
    }
    gpg(
        &work.path().join("trusted"),
        &["--clearsign", "-o", "InRelease", "Release"],
    );
    repo
}

#[test]
fn packages_from_an_extra_repository_trusted_by_its_signing_key() {
    let repo = signed_apt_repository();
    let key_sha = |name: &str| sha256_hex(&std::fs::read(repo.path().join(name)).unwrap());
    let (trusted, other) = (key_sha("trusted.asc"), key_sha("other.asc"));
    let server = FileServer::serve_on(repo, "0.0.0.0");
    for engine in Engine::all() {
        let base = format!("http://{}:{}", engine.host_gateway(), server.port);
        let file = |key: &str, sha: &str| {
            format!(
                "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages:\n      install: [kiln-hello]\n      repositories:\n        - name: local\n          url: {base}/\n          key: {{ url: {base}/{key}, sha256: {sha} }}\n    steps:\n      - run: kiln-hello > /hello\n"
            )
        };
        let ctx = context(&[("kiln.yaml", &file("trusted.asc", &trusted))]);
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/hello", "hello from a signed repository\n"),
            "[{}]",
            engine.name
        );
        assert!(
            image.files.contains_key("/etc/apt/keyrings/kiln-local.asc"),
            "[{}] the key stays, for later installs",
            engine.name
        );
        let lists = image
            .files
            .keys()
            .filter(|p| p.starts_with("/var/lib/apt/lists/"))
            .count();
        assert_eq!(lists, 0, "[{}] no lists in the image", engine.name);

        // A key that did not sign the repository: apt refuses it, so the build fails.
        let ctx = context(&[("kiln.yaml", &file("other.asc", &other))]);
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/untrusted"))
            .unwrap_err();
        assert!(
            log.contains("NO_PUBKEY") || log.contains("not signed"),
            "[{}] {log}",
            engine.name
        );
        // A key that is not the one the file names: the checksum stops it. (BuildKit finds
        // content by checksum first, so the checksum must be one nothing in its cache has.)
        let unknown = sha256_hex(format!("no such key {}", unique_tag("x")).as_bytes());
        let ctx = context(&[("kiln.yaml", &file("other.asc", &unknown))]);
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/badkey"))
            .unwrap_err();
        assert!(
            log.contains("kiln.yaml:11"),
            "[{}] names the key's line: {log}",
            engine.name
        );
    }
}

#[test]
fn a_zip_download_is_unpacked_with_its_modes() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("tool.zip");
    run_ok(std::process::Command::new("python3").arg("-c").arg(
        "import sys, zipfile\n\
         z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\n\
         for name, data, mode in [('bin/tool', '#!/bin/sh\\necho zipped tool\\n', 0o755), ('share/README', 'read me\\n', 0o644)]:\n\
         \x20   info = zipfile.ZipInfo(name); info.external_attr = (0o100000 | mode) << 16\n\
         \x20   z.writestr(info, data, zipfile.ZIP_DEFLATED)\n\
         z.close()",
    ).arg(&zip));
    let sha = sha256_hex(&std::fs::read(&zip).unwrap());
    let server = FileServer::serve(dir);
    let ctx = context(&[(
        "kiln.yaml",
        &format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download:\n          url: http://127.0.0.1:{}/tool.zip\n          sha256: {sha}\n          dst: /opt/tool\n          extract: true\n      - run: /opt/tool/bin/tool > /out\n",
            server.port
        ),
    )]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/out", "zipped tool\n"),
            "[{}]",
            engine.name
        );
        assert_eq!(
            image.files["/opt/tool/bin/tool"].mode, 0o755,
            "[{}]",
            engine.name
        );
        assert_eq!(
            image.files["/opt/tool/share/README"].mode, 0o644,
            "[{}]",
            engine.name
        );
        assert!(
            file_is(&image, "/opt/tool/share/README", "read me\n"),
            "[{}]",
            engine.name
        );
        assert!(
            !image.files.contains_key("/opt/tool/tool.zip"),
            "[{}] the archive itself is not copied",
            engine.name
        );
    }
}

const HCL_MATRIX: &str = r#"version = 1

variable "GREETING" { default = "hello" }
variable "SUFFIX" {
  default = "!"
  validation {
    condition     = length(SUFFIX) <= 3
    error_message = "SUFFIX is at most 3 characters"
  }
}

function "shout" {
  params = [text]
  result = "${upper(text)}${SUFFIX}"
}

stage "base" {
  from = "localhost:5000/busybox:1"
  run { cmd = "echo base > /base.txt" }
}

stage "app" {
  from = "base"
  run {
    cmd = <<-EOT
      echo "${GREETING} ${shout(GREETING)}" > /greeting.txt
      echo '$${TARGETARCH}' ${TARGETARCH} > /arch.txt
    EOT
  }
}

target "_common" {
  stage  = "app"
  labels = { "org.example.kind" = "hcl" }
}

target "app" {
  inherits = ["_common"]
  name     = "app-${flavour}"
  matrix   = { flavour = ["plain", "fancy"] }
  labels   = { "org.example.flavour" = flavour }
}
"#;

#[test]
fn an_hcl_file_with_variables_functions_inherits_and_matrix_builds() {
    let ctx = context(&[("kiln.hcl", HCL_MATRIX)]);
    for engine in Engine::all() {
        let build = Build {
            file: Some(PathBuf::from("kiln.hcl")),
            target: Some("app-fancy".into()),
            build_args: vec![("GREETING".into(), "hi".into())],
            ..Build::new(ctx.path())
        };
        let image = build_and_save(&engine, &build);
        assert!(
            file_is(&image, "/greeting.txt", "hi HI!\n"),
            "[{}] the build arg reaches `${{GREETING}}` and the function: {:?}",
            engine.name,
            image.files.get("/greeting.txt")
        );
        assert!(
            file_is(&image, "/arch.txt", "${TARGETARCH} amd64\n"),
            "[{}]",
            engine.name
        );
        assert!(file_is(&image, "/base.txt", "base\n"), "[{}]", engine.name);
        let labels = &image.config["config"]["Labels"];
        assert_eq!(
            labels["org.example.flavour"], "fancy",
            "[{}] {labels}",
            engine.name
        );
        assert_eq!(
            labels["org.example.kind"], "hcl",
            "[{}] inherited",
            engine.name
        );

        // A variable that fails its validation stops the build with the kiln diagnostic.
        let invalid = Build {
            build_args: vec![("SUFFIX".into(), "!!!!".into())],
            ..build.clone()
        };
        let log = engine
            .build_image(&invalid, &unique_tag("kiln-e2e/hcl-invalid"))
            .unwrap_err();
        assert!(
            log.contains("SUFFIX is at most 3 characters") && log.contains("kiln.hcl:8"),
            "[{}] {log}",
            engine.name
        );
    }
}

#[test]
fn the_group_example_in_hcl_builds_like_its_yaml_twin() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/group.kiln.hcl"),
    )
    .unwrap();
    let ctx = context(&[("api/api", "#!/bin/sh\necho api\n")]);
    std::fs::write(ctx.path().join("kiln.hcl"), text).unwrap();
    std::fs::set_permissions(
        ctx.path().join("api/api"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    for engine in Engine::all() {
        let tag = unique_tag("kiln-e2e/hcl-group");
        let build = Build {
            file: Some(PathBuf::from("kiln.hcl")),
            target: Some("api".into()),
            ..Build::new(ctx.path())
        };
        engine
            .build_image(&build, &tag)
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        assert_eq!(engine.run_ok(&tag, &[]), "api\n", "[{}]", engine.name);
        let image = engine.save(&tag);
        assert_eq!(
            image.config["config"]["WorkingDir"], "/srv",
            "[{}]",
            engine.name
        );
        engine.remove_image(&tag);
    }
}

const SHARED_BASE_GROUP: &str = r#"version: 1
args:
  NONCE: ""
stages:
  base:
    from: localhost:5000/busybox:1
    steps:
      - run: echo "${NONCE} $(date +%s%N)" > /stamp && sleep 1
  a:
    from: base
    steps:
      - run: echo a > /name
  b:
    from: base
    steps:
      - run: echo b > /name
  c:
    from: base
    steps:
      - run: echo c > /name && ln -s name /link && chmod 0750 /name
targets:
  a: { stage: a }
  b: { stage: b }
  c: { stage: c }
groups:
  all: [a, b, c]
"#;

#[test]
fn a_group_is_built_in_one_request_and_shares_its_base_stage() {
    let ctx = context(&[("kiln.yaml", SHARED_BASE_GROUP)]);
    for engine in Engine::all() {
        let out = tempfile::tempdir().unwrap();
        let build = Build {
            target: Some("all".into()),
            build_args: vec![("NONCE".into(), unique_tag("n"))],
            ..kiln_build(ctx.path())
        };
        engine
            .build_local(&build, out.path())
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        let read = |path: &str| {
            std::fs::read_to_string(out.path().join(path))
                .unwrap_or_else(|e| panic!("[{}] {path}: {e}", engine.name))
        };
        let stamps: Vec<String> = ["a", "b", "c"]
            .iter()
            .map(|t| read(&format!("{t}/stamp")))
            .collect();
        assert!(
            stamps.iter().all(|s| s == &stamps[0]),
            "[{}] the shared stage ran once: {stamps:?}",
            engine.name
        );
        for t in ["a", "b", "c"] {
            assert_eq!(
                read(&format!("{t}/name")),
                format!("{t}\n"),
                "[{}]",
                engine.name
            );
        }
        let link = std::fs::read_link(out.path().join("c/link")).unwrap();
        assert_eq!(link, Path::new("name"), "[{}] symlinks intact", engine.name);
        let mode = std::fs::metadata(out.path().join("c/name"))
            .unwrap()
            .permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o750,
            "[{}]",
            engine.name
        );
    }
}

/// `docker buildx build --call=...` against an engine: the printed answer.
fn buildx_call(engine: &Engine, call: &str, dir: &Path, extra: &[&str]) -> String {
    let out = engine
        .buildx()
        .args(["build", "--progress=plain", &format!("--call={call}")])
        .args(extra)
        .arg("-f")
        .arg(dir.join("kiln.yaml"))
        .arg(dir)
        .output()
        .expect("the docker CLI with the buildx plugin");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "[{}] --call={call}: {text}",
        engine.name
    );
    text
}

#[test]
fn buildx_call_lists_targets_and_outlines_a_target() {
    let ctx = example_context("mounts.kiln.yaml", &[]);
    let group = context(&[("kiln.yaml", SHARED_BASE_GROUP)]);
    for engine in Engine::all() {
        let targets = buildx_call(&engine, "targets", group.path(), &[]);
        for line in ["a ", "b ", "c ", "all    group: a, b, c"] {
            assert!(
                targets.lines().any(|l| l.starts_with(line)),
                "[{}] {line:?} in {targets}",
                engine.name
            );
        }
        let outline = buildx_call(&engine, "outline", ctx.path(), &[]);
        assert!(
            outline.contains("registry-token") && outline.contains("signing-key"),
            "[{}] the secrets the target needs: {outline}",
            engine.name
        );
        let outline = buildx_call(&engine, "outline", group.path(), &["--target", "c"]);
        assert!(
            outline.contains("TARGET: c") && outline.contains("NONCE"),
            "[{}] {outline}",
            engine.name
        );
    }
}
