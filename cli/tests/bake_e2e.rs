//! `kiln bake` against the real engines of the bench (needs `scripts/testbed.sh up` and the
//! frontend image): a group with tags, a push to the bench registry and a local output; a
//! failing target that does not stop the others; the plan printed without building.

use kiln_testbed::{Engine, EngineKind, unique_tag};
use std::path::Path;
use std::process::{Command, Output};

const GROUP: &str = r#"# syntax=localhost:5000/kiln:dev
version: 1
args:
  NONCE: ""
stages:
  base:
    from: localhost:5000/busybox:1
    steps:
      - run: echo "${NONCE}" > /stamp
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
  broken:
    from: base
    steps:
      - run: echo about to fail && exit 3
targets:
  a: { stage: a }
  b: { stage: b }
  c: { stage: c }
  broken: { stage: broken }
groups:
  all: [a, b, c]
  with-broken: [a, broken, c]
"#;

/// `kiln bake ARGS` in `dir`, against `host` (`DOCKER_HOST`), with extra environment.
fn kiln_bake(dir: &Path, host: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiln"));
    cmd.arg("bake")
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied());
    if let Some(host) = host {
        cmd.env("DOCKER_HOST", host);
    }
    cmd.output().expect("kiln runs")
}

/// `kiln bake ARGS` on `engine`: a Docker Engine through `DOCKER_HOST`, or buildkitd through
/// buildx's `remote` driver (`--builder kiln-remote`; images are loaded into Docker 20.10).
fn kiln_bake_on(dir: &Path, engine: &Engine, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut all = args.to_vec();
    if engine.kind == EngineKind::Buildkitd {
        all.extend(["--builder", "kiln-remote"]);
    }
    kiln_bake(dir, Some(&engine.docker_host), env, &all)
}

/// `kiln bake -f kiln.yaml --progress plain ARGS` against `engine`.
fn bake(dir: &Path, engine: Option<&Engine>, args: &[&str]) -> Output {
    let mut all = vec!["-f", "kiln.yaml", "--progress", "plain"];
    all.extend(args);
    match engine {
        Some(engine) => kiln_bake_on(dir, engine, &[], &all),
        None => kiln_bake(dir, None, &[], &all),
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn context() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), GROUP).unwrap();
    dir
}

/// The registry has `repository:tag` (asked over its HTTP API).
fn in_registry(repository: &str, tag: &str) -> bool {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect("127.0.0.1:5000").unwrap();
    write!(
        stream,
        "HEAD /v2/{repository}/manifests/{tag} HTTP/1.0\r\nAccept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200")
}

#[test]
fn bake_builds_a_group_with_its_own_outputs_and_pushes() {
    let dir = context();
    for engine in Engine::all() {
        let tag = unique_tag("t").replace(['/', ':'], "-");
        let image = |t: &str| format!("localhost:5000/kiln-bake/{t}:{tag}");
        let out = bake(
            dir.path(),
            Some(&engine),
            &[
                "all",
                "--var",
                &format!("NONCE={tag}"),
                "--set",
                &format!("a.tags={}", image("a")),
                "--set",
                &format!("b.tags={},localhost:5000/kiln-bake/b:latest", image("b")),
                "--set",
                &format!("c.tags={}", image("c")),
                "--set",
                "c.args.NONCE=from-set",
                "--push",
            ],
        );
        let log = text(&out);
        assert!(out.status.success(), "[{}] {log}", engine.name);
        for (t, stamp) in [("a", tag.as_str()), ("b", tag.as_str()), ("c", "from-set")] {
            let run = engine.docker_ok(&["run", "--rm", &image(t), "cat", "/name", "/stamp"]);
            assert_eq!(
                run,
                format!("{t}\n{stamp}\n"),
                "[{}] {t}: its name, the --var or --set arg",
                engine.name
            );
            assert!(
                in_registry(&format!("kiln-bake/{t}"), &tag),
                "[{}] {t} pushed",
                engine.name
            );
        }
        if engine.kind == EngineKind::Buildkitd {
            // With --builder, `--push` pushes (as `docker buildx bake --push` does) and loads
            // nothing: the images above ran from the registry.
            assert!(in_registry("kiln-bake/b", "latest"), "b:latest pushed");
        } else {
            engine.docker_ok(&["image", "inspect", "localhost:5000/kiln-bake/b:latest"]);
        }
        for target in ["a", "b", "c"] {
            assert!(
                log.lines()
                    .any(|l| l.trim_start().starts_with(target) && l.contains(" ok ")),
                "[{}] summary line for {target}: {log}",
                engine.name
            );
        }
        for t in ["a", "b", "c"] {
            engine.remove_image(&image(t));
        }
        engine.remove_image("localhost:5000/kiln-bake/b:latest");

        // A local output: every file with its mode, symlinks intact.
        let local = tempfile::tempdir().unwrap();
        let dest = local.path().join("c");
        let out = bake(
            dir.path(),
            Some(&engine),
            &[
                "c",
                "--set",
                &format!("c.output=type=local,dest={}", dest.display()),
            ],
        );
        assert!(out.status.success(), "[{}] {}", engine.name, text(&out));
        let name = dest.join("name");
        assert_eq!(
            std::fs::read_to_string(&name).unwrap(),
            "c\n",
            "[{}]",
            engine.name
        );
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&name).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o750, "[{}] modes kept", engine.name);
        assert_eq!(
            std::fs::read_link(dest.join("link")).unwrap(),
            Path::new("name"),
            "[{}]",
            engine.name
        );
        let busybox = std::fs::symlink_metadata(dest.join("bin/ls")).unwrap();
        assert!(
            busybox.file_type().is_symlink(),
            "[{}] the base image's symlinks too",
            engine.name
        );
    }
}

#[test]
fn a_failing_target_does_not_stop_the_others() {
    let dir = context();
    for engine in Engine::all() {
        let tag = unique_tag("f").replace(['/', ':'], "-");
        let a = format!("kiln-bake-f/a:{tag}");
        let c = format!("kiln-bake-f/c:{tag}");
        let out = bake(
            dir.path(),
            Some(&engine),
            &[
                "with-broken",
                "--set",
                &format!("a.tags={a}"),
                "--set",
                &format!("c.tags={c}"),
            ],
        );
        let log = text(&out);
        assert_eq!(out.status.code(), Some(1), "[{}] {log}", engine.name);
        if engine.kind == EngineKind::Buildkitd {
            // With --builder, buildx runs the plan, and like `docker buildx bake` it stops
            // every target when one fails (docs/bake.md); its error names our file and line.
            assert!(log.contains("kiln.yaml:25"), "{log}");
            assert!(log.contains("about to fail"), "{log}");
            assert!(log.contains("broken") && log.contains("FAILED"), "{log}");
            continue;
        }
        let summary: Vec<&str> = log
            .lines()
            .skip_while(|l| !l.starts_with("kiln bake:"))
            .collect();
        let line = |t: &str| {
            summary
                .iter()
                .find(|l| l.trim_start().starts_with(t))
                .copied()
                .unwrap_or_default()
        };
        assert!(line("a ").contains(" ok "), "[{}] {summary:?}", engine.name);
        assert!(line("c ").contains(" ok "), "[{}] {summary:?}", engine.name);
        assert!(
            line("broken").contains("FAILED") && line("broken").contains("kiln.yaml:25"),
            "[{}] the failure names the file and line: {summary:?}",
            engine.name
        );
        assert!(
            log.contains("about to fail"),
            "[{}] the step's log: {log}",
            engine.name
        );
        engine.remove_image(&a);
        engine.remove_image(&c);
    }
}

#[test]
fn print_shows_the_plan_with_overrides_and_builds_nothing() {
    let dir = context();
    let args = [
        "all",
        "--print",
        "--set",
        "a.tags=r/a:1",
        "--set",
        "*.args.NONCE=x",
        "--set",
        "c.output=type=tar,dest=c.tar",
    ];
    let first = bake(dir.path(), None, &args);
    let again = bake(dir.path(), None, &args);
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(first.stdout, again.stdout, "stable output");
    let plan: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(plan["target"]["a"]["tags"], serde_json::json!(["r/a:1"]));
    assert_eq!(plan["target"]["b"]["args"]["NONCE"], "x");
    assert_eq!(
        plan["target"]["c"]["output"],
        serde_json::json!({ "type": "tar", "dest": "c.tar" })
    );
    assert_eq!(
        plan["group"]["all"]["targets"],
        serde_json::json!(["a", "b", "c"])
    );
}

const SECRET: &str = r#"# syntax=localhost:5000/kiln:dev
version: 1
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - run: test "$(cat /run/secrets/tok)" = "$EXPECTED" && echo verified > /verified
        env: { EXPECTED: s3cr3t }
        mounts:
          - secret: tok
            required: true
targets:
  app: { stage: app }
"#;

#[test]
fn secrets_reach_the_build_and_stay_out_of_the_image() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), SECRET).unwrap();
    std::fs::write(dir.path().join("tok.txt"), "s3cr3t").unwrap();
    for engine in Engine::all() {
        let tag = format!(
            "kiln-bake-secret/app:{}",
            unique_tag("s").replace(['/', ':'], "-")
        );
        for secret in ["id=tok,src=tok.txt", "id=tok,env=KILN_TEST_TOKEN"] {
            let out = kiln_bake_on(
                dir.path(),
                &engine,
                &[("KILN_TEST_TOKEN", "s3cr3t")],
                &[
                    "-f",
                    "kiln.yaml",
                    "app",
                    "--no-cache",
                    "--progress",
                    "plain",
                    "--secret",
                    secret,
                    "--set",
                    &format!("app.tags={tag}"),
                ],
            );
            assert!(
                out.status.success(),
                "[{}] {secret}: {}",
                engine.name,
                text(&out)
            );
            assert!(
                text(&out).contains("[app 1/1] run: test"),
                "[{}] live steps from our own status client: {}",
                engine.name,
                text(&out)
            );
            let verified = engine.docker_ok(&["run", "--rm", &tag, "cat", "/verified"]);
            assert_eq!(verified, "verified\n", "[{}] {secret}", engine.name);
            let history = engine.docker_ok(&["history", "--no-trunc", &tag]);
            let files = engine.docker_ok(&[
                "run",
                "--rm",
                &tag,
                "sh",
                "-c",
                "ls /run/secrets 2>/dev/null; true",
            ]);
            assert!(
                !history.contains("s3cr3t") && files.trim().is_empty(),
                "[{}] the secret stays out of the image: {history} {files}",
                engine.name
            );
            engine.remove_image(&tag);
        }
        // Without the secret, the required mount fails the build, naming the line.
        let out = bake(dir.path(), Some(&engine), &["app", "--no-cache"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "[{}] {}",
            engine.name,
            text(&out)
        );
        assert!(
            text(&out).contains("kiln.yaml:7"),
            "[{}] {}",
            engine.name,
            text(&out)
        );
    }
}

#[test]
fn a_bad_secret_flag_and_a_missing_daemon_are_clear_errors() {
    let dir = context();
    let out = bake(dir.path(), None, &["a", "--secret", "src=/etc/hostname"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("no id"), "{}", text(&out));
    let out = kiln_bake(
        dir.path(),
        Some("unix:///nonexistent/docker.sock"),
        &[],
        &["-f", "kiln.yaml", "a"],
    );
    let message = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(message.trim().lines().count(), 1, "one line: {message}");
    assert!(
        message.contains("no Docker daemon answers at unix:///nonexistent/docker.sock"),
        "{message}"
    );
}

#[test]
fn the_terminal_view_redraws_one_line_per_target() {
    let dir = context();
    // kiln's own view; with --builder, buildx draws its own.
    for engine in Engine::docker_engines() {
        let out = kiln_bake_on(
            dir.path(),
            &engine,
            &[],
            &[
                "-f",
                "kiln.yaml",
                "all",
                "--progress",
                "tty",
                "--set",
                "*.output=type=tar,dest=/dev/null",
            ],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "[{}] {stdout}", engine.name);
        // Cursor up + clear line: the block of target lines is redrawn in place.
        assert!(
            stdout.contains("\x1b[1A\x1b[2K"),
            "[{}] {stdout:?}",
            engine.name
        );
        for target in ["a", "b", "c"] {
            assert!(
                stdout.contains(&format!("[{target}] done")),
                "[{}] {stdout:?}",
                engine.name
            );
        }
        assert!(
            !stdout.contains("] #"),
            "[{}] step lines stay in the view: {stdout:?}",
            engine.name
        );
    }
}

const MATRIX_HCL: &str = r#"# syntax=localhost:5000/kiln:dev
version = 1

variable "TAG" { default = "dev" }

stage "app" {
  from = "localhost:5000/busybox:1"
  run { cmd = "echo ${FLAVOUR} > /flavour" }
}

target "app" {
  name   = "app-${f}"
  matrix = { f = ["plain", "fancy"] }
  stage  = "app"
  args   = { FLAVOUR = f }
  tags   = ["kiln-bake-matrix/app-${f}:${TAG}"]
}

variable "FLAVOUR" { default = "" }

group "default" { targets = ["app-plain", "app-fancy"] }
"#;

#[test]
fn bake_builds_an_hcl_matrix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.hcl"), MATRIX_HCL).unwrap();
    for engine in Engine::all() {
        let tag = unique_tag("m").replace(['/', ':'], "-");
        let out = kiln_bake_on(
            dir.path(),
            &engine,
            &[],
            &[
                "-f",
                "kiln.hcl",
                "--progress",
                "plain",
                "--var",
                &format!("TAG={tag}"),
            ],
        );
        assert!(out.status.success(), "[{}] {}", engine.name, text(&out));
        for flavour in ["plain", "fancy"] {
            let image = format!("kiln-bake-matrix/app-{flavour}:{tag}");
            let got = engine.docker_ok(&["run", "--rm", &image, "cat", "/flavour"]);
            assert_eq!(got, format!("{flavour}\n"), "[{}] {image}", engine.name);
            engine.remove_image(&image);
        }
    }
}
