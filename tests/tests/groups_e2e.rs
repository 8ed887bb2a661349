//! The examples, HCL files and groups on the real engines: each example built and run, the HCL twins, a group in one request, and `--call=targets|outline`.
//! Needs `scripts/testbed.sh up` and the frontend image.

mod common;

use common::*;
use kiln_testbed::{Build, Engine, unique_tag};
use std::path::{Path, PathBuf};

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

#[test]
fn a_group_built_to_an_image_says_how_to_get_one_image() {
    let ctx = context(&[("kiln.yaml", SHARED_BASE_GROUP)]);
    for engine in Engine::all() {
        let build = Build {
            target: Some("all".into()),
            ..kiln_build(ctx.path())
        };
        // Docker's image store refuses several refs; a registry takes them as a list. Either
        // way the hint comes first, as a step of the progress.
        let log = match engine.build_image(&build, &unique_tag("kiln-e2e/group-image")) {
            Ok(log) | Err(log) => log,
        };
        assert!(
            log.contains("kiln: `all` is a group of 3 targets (a, b, c)")
                && log.contains("--target NAME"),
            "[{}] {log}",
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
