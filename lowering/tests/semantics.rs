//! What lowering does with each construct: exec meta and mounts, copies, downloads, image
//! config inheritance, caps gating, and the diagnostics of bad input.

mod common;

use common::{execs, ops};

use kiln_dsl::Code;
use kiln_lowering::{CapSet, LowerOptions, lower};
use kiln_proto::pb;
use prost::Message;

fn lower_text(
    text: &str,
    options: LowerOptions,
) -> Result<kiln_lowering::Lowered, Vec<kiln_dsl::Diagnostic>> {
    let (model, file) = common::load_text("t.kiln.yaml", text);
    lower(&model, &file, &options)
}

const RUN_WITH_MOUNTS: &str = r#"version: 1
args:
  V: "7"
stages:
  app:
    from: localhost:5000/busybox:1
    env: { A: one }
    workdir: /w
    steps:
      - run: echo ${V} $HOME
        env: { B: two }
        network: none
        mounts:
          - cache: /root/.cache
            sharing: locked
          - secret: tok
          - tmpfs: /tmp
"#;

#[test]
fn run_steps_become_exec_ops_with_env_cwd_and_mounts() {
    let lowered = lower_text(RUN_WITH_MOUNTS, LowerOptions::default()).unwrap();
    let exec = execs(&lowered.definition).pop().unwrap();
    let meta = exec.meta.unwrap();
    assert_eq!(
        meta.args,
        vec!["/bin/sh", "-c", "echo 7 $HOME"],
        "args expanded, shell vars untouched"
    );
    assert_eq!(
        meta.env,
        vec!["A=one", "B=two"],
        "stage env then step env; args are not env"
    );
    assert_eq!(meta.cwd, "/w");
    assert_eq!(exec.network, pb::NetMode::None as i32);
    let dests: Vec<&str> = exec.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert_eq!(
        dests,
        vec!["/", "/root/.cache", "/run/secrets/tok", "/tmp"],
        "sorted by destination"
    );
    let cache = &exec.mounts[1];
    assert_eq!(cache.mount_type, pb::MountType::Cache as i32);
    assert_eq!(
        cache.cache_opt.as_ref().unwrap().sharing,
        pb::CacheSharingOpt::Locked as i32
    );
    let secret = exec.mounts[2].secret_opt.as_ref().unwrap();
    assert_eq!(
        (secret.id.as_str(), secret.mode, secret.optional),
        ("tok", 0o400, true)
    );
    assert_eq!(exec.mounts[0].output, 0);
    assert!(exec.mounts[1..].iter().all(|m| m.output == -1));
    // Args are never stored in the image; env is.
    let env = lowered.image.config.env.clone().unwrap();
    assert_eq!(env, vec!["A=one"]);
}

#[test]
fn base_image_config_is_inherited_and_entrypoint_clears_cmd() {
    let text = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    env: { B: b }\n    image:\n      entrypoint: [/bin/app]\n";
    let base = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": { "Env": ["PATH=/bin", "A=a"], "Cmd": ["sh"], "WorkingDir": "/home", "User": "1000" },
        "rootfs": { "type": "layers", "diff_ids": ["sha256:abc"] },
        "history": [{ "created_by": "base layer" }]
    });
    let options = LowerOptions {
        base_configs: [(
            "localhost:5000/busybox:1".to_string(),
            serde_json::to_vec(&base).unwrap(),
        )]
        .into(),
        ..Default::default()
    };
    let lowered = lower_text(text, options).unwrap();
    let config = &lowered.image.config;
    assert_eq!(config.env.clone().unwrap(), vec!["PATH=/bin", "A=a", "B=b"]);
    assert_eq!(config.working_dir.as_deref(), Some("/home"));
    assert_eq!(config.user.as_deref(), Some("1000"));
    assert_eq!(config.entrypoint.clone().unwrap(), vec!["/bin/app"]);
    assert_eq!(config.cmd, None, "an entrypoint clears the inherited cmd");
    assert!(
        lowered.image.rootfs.diff_ids.is_empty(),
        "layers are filled in by the exporter"
    );
    let history: Vec<(Option<String>, bool)> = lowered
        .image
        .history
        .iter()
        .map(|h| (h.created_by.clone(), h.empty_layer))
        .collect();
    assert_eq!(
        history[0],
        (Some("base layer".into()), false),
        "the base's history comes first"
    );
    assert!(
        history[1..].iter().all(|(_, empty)| *empty),
        "env and entrypoint make no layer: {history:?}"
    );
    // The env of the base image is visible to ${...}.
    let text = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo ${A}\n";
    let options = LowerOptions {
        base_configs: [(
            "localhost:5000/busybox:1".to_string(),
            serde_json::to_vec(&base).unwrap(),
        )]
        .into(),
        ..Default::default()
    };
    let exec = execs(&lower_text(text, options).unwrap().definition)
        .pop()
        .unwrap();
    assert_eq!(exec.meta.unwrap().args[2], "echo a");
}

#[test]
fn downloads_are_checked_http_sources_chosen_per_platform() {
    let text = r#"version: 1
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - download:
          url: { amd64: "https://x.example/t-amd64", arm64: "https://x.example/t-arm64" }
          sha256:
            amd64: 5F70BF18A086007016E948B04AED3B82103A36BEA41755B6CDDFAF10ACE3C6EF
            arm64: 7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730
          dst: /usr/bin/t
          mode: "0755"
targets:
  app: { stage: app, platforms: [linux/amd64, linux/arm64] }
"#;
    for (platform, url, sha) in [
        (
            "linux/amd64",
            "https://x.example/t-amd64",
            "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
        ),
        (
            "linux/arm64",
            "https://x.example/t-arm64",
            "sha256:7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730",
        ),
    ] {
        let options = LowerOptions {
            platform: Some(platform.into()),
            ..Default::default()
        };
        let lowered = lower_text(text, options).unwrap();
        let source = ops(&lowered.definition)
            .into_iter()
            .find_map(|op| match op.op {
                Some(pb::op::Op::Source(s)) if s.identifier.starts_with("https") => Some(s),
                _ => None,
            })
            .unwrap();
        assert_eq!(source.identifier, url);
        assert_eq!(source.attrs["http.checksum"], sha);
        assert_eq!(source.attrs["http.filename"], "t");
        assert_eq!(source.attrs["http.perm"], "0755");
    }
}

#[test]
fn copies_from_context_and_stages() {
    let text = r#"version: 1
stages:
  build:
    from: localhost:5000/busybox:1
    steps:
      - run: mkdir /out && echo x > /out/x
  app:
    from: scratch
    workdir: /app
    steps:
      - copy: { src: [a.txt, dir/], dst: . }
      - copy: { from: build, src: /out/x, dst: /x, chmod: "0600", chown: "10:20" }
"#;
    let options = LowerOptions {
        dockerignore: vec!["*.log".into()],
        session_id: Some("s1".into()),
        ..Default::default()
    };
    let lowered = lower_text(text, options).unwrap();
    let all = ops(&lowered.definition);
    let local = all
        .iter()
        .find_map(|op| match &op.op {
            Some(pb::op::Op::Source(s)) if s.identifier == "local://context" => Some(s),
            _ => None,
        })
        .unwrap();
    assert_eq!(local.attrs["local.excludepatterns"], r#"["*.log"]"#);
    assert_eq!(local.attrs["local.session"], "s1");
    let copies: Vec<pb::FileActionCopy> = all
        .iter()
        .filter_map(|op| match &op.op {
            Some(pb::op::Op::File(f)) => Some(f.actions.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|a| match a.action {
            Some(pb::file_action::Action::Copy(c)) => Some(c),
            _ => None,
        })
        .collect();
    let pairs: Vec<(&str, &str)> = copies
        .iter()
        .map(|c| (c.src.as_str(), c.dest.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![("/a.txt", "/app/"), ("/dir/", "/app/"), ("/out/x", "/x")]
    );
    assert!(copies[0].dir_copy_contents && copies[0].allow_wildcard && copies[0].create_dest_path);
    assert_eq!(copies[2].mode, 0o600);
    let owner = copies[2].owner.clone().unwrap();
    assert_eq!(owner.user.unwrap().user, Some(pb::user_opt::User::ById(10)));
}

#[test]
fn features_missing_on_buildkit_v0_8_are_refused_at_their_step() {
    let text = r#"version: 1
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - run: echo ok
      - symlink: { target: /bin/busybox, path: /bin/x }
      - copy: { src: ., dst: /src, exclude: ["*.md"] }
"#;
    let options = LowerOptions {
        caps: CapSet::buildkit_v0_8(),
        ..Default::default()
    };
    let errors = lower_text(text, options).unwrap_err();
    let found: Vec<(Code, usize)> = errors.iter().map(|d| (d.code, d.position())).collect();
    assert_eq!(found.len(), 2, "{errors:#?}");
    assert!(found.iter().all(|(c, _)| *c == Code::UnsupportedFeature));
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("file.symlink.create"))
    );
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("file.copy.includeexcludepatterns"))
    );
    // The same file lowers on a current BuildKit, recording the caps in the op metadata.
    let lowered = lower_text(text, LowerOptions::default()).unwrap();
    assert!(
        lowered
            .definition
            .metadata
            .values()
            .any(|m| m.caps.contains_key("file.symlink.create"))
    );
}

#[test]
fn bad_input_is_a_diagnostic_at_the_step() {
    // An arg that expands to a relative workdir.
    let text = "version: 1\nargs:\n  DIR: /ok\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - workdir: ${DIR}\n";
    let options = LowerOptions {
        build_args: [("DIR".into(), "relative".into())].into(),
        ..Default::default()
    };
    // `workdir` steps join relative paths onto the current one, so this one is fine...
    assert!(lower_text(text, options).is_ok());
    // ...but a stage workdir must be absolute once expanded.
    let text = "version: 1\nargs:\n  DIR: /ok\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    workdir: ${DIR}\n";
    let options = LowerOptions {
        build_args: [("DIR".into(), "relative".into())].into(),
        ..Default::default()
    };
    let errors = lower_text(text, options).unwrap_err();
    assert_eq!(errors[0].code, Code::InvalidPath);
    assert_eq!(
        errors[0].position(),
        text.find("workdir:").unwrap() + "workdir: ".len()
    );

    // A copy from a stage that produces nothing.
    let text = "version: 1\nstages:\n  empty:\n    from: scratch\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - copy: { from: empty, src: /x, dst: /x }\n";
    let errors = lower_text(text, LowerOptions::default()).unwrap_err();
    assert_eq!(errors[0].code, Code::EmptySource);
    assert_eq!(
        errors[0].position(),
        text.find("from: empty").unwrap() + "from: ".len()
    );

    // A platform the target does not declare.
    let text = "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - mkdir: /x\ntargets:\n  app: { stage: app, platforms: [linux/amd64] }\n";
    let options = LowerOptions {
        platform: Some("linux/arm64".into()),
        ..Default::default()
    };
    let errors = lower_text(text, options).unwrap_err();
    assert_eq!(errors[0].code, Code::InvalidPlatform);

    // A download with no entry for the platform built.
    let text = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download: { url: { amd64: \"https://x.example/a\" }, sha256: { amd64: 5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef }, dst: /a }\n";
    let options = LowerOptions {
        platform: Some("linux/arm64".into()),
        ..Default::default()
    };
    let errors = lower_text(text, options).unwrap_err();
    assert_eq!(errors[0].code, Code::MissingKey);
    assert!(errors[0].message.contains("linux/arm64"));

    // An arg without a value.
    let text = "version: 1\nargs:\n  TOKEN: ~\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo ${TOKEN}\n";
    let errors = lower_text(text, LowerOptions::default()).unwrap_err();
    assert_eq!(errors[0].code, Code::UndefinedVariable);
}

#[test]
fn a_copy_from_neither_stage_nor_image_is_worded_as_kiln_check_words_it() {
    // Only known once `${SRC}` is expanded, so `kiln check` cannot see it; the wording is
    // the check's (`not_stage_or_image`), with the stages in the help.
    let text = "version: 1\nargs:\n  SRC: localhost:5000/busybox:1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - copy: { from: \"${SRC}\", src: /x, dst: /x }\n";
    let options = LowerOptions {
        build_args: [("SRC".into(), "Not An Image".into())].into(),
        ..Default::default()
    };
    let errors = lower_text(text, options).unwrap_err();
    assert_eq!(errors[0].code, Code::InvalidImage);
    assert_eq!(
        errors[0].message,
        "`Not An Image` is neither a stage nor a valid image reference"
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("the stages are: `app`; an image reference looks like `registry/name:tag`")
    );
    assert_eq!(
        errors[0].position(),
        text.find("from: \"").unwrap() + "from: ".len()
    );
    // A stage's own `from` is worded the same way.
    let text = text.replace(
        "from: localhost:5000/busybox:1\n    steps",
        "from: \"${SRC}\"\n    steps",
    );
    let options = LowerOptions {
        build_args: [("SRC".into(), "Not An Image".into())].into(),
        ..Default::default()
    };
    let errors = lower_text(&text, options).unwrap_err();
    assert_eq!(errors[0].code, Code::InvalidImage);
    assert_eq!(
        errors[0].message,
        "`Not An Image` is neither a stage nor a valid image reference"
    );
}

#[test]
fn a_solve_request_stays_small_for_big_files() {
    // Source text that would bring the request near 4 MiB is not attached.
    let mut text = String::from(
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo hi\n",
    );
    while text.len() < 3_300_000 {
        text.push_str("# a long comment that makes the file big without adding steps\n");
    }
    let lowered = lower_text(&text, LowerOptions::default()).unwrap();
    assert!(lowered.definition.source.is_none());
    assert!(lowered.definition.encode_to_vec().len() < 64 << 10);
}

/// What an exec's shell runs: a packages step's script (carried in its environment, so that
/// BuildKit's "process ... did not complete" names a short command), else its `-c` command.
fn shell_script(meta: &pb::Meta) -> String {
    meta.env
        .iter()
        .find_map(|e| e.strip_prefix("KILN_PACKAGES_SCRIPT="))
        .unwrap_or(&meta.args[2])
        .to_string()
}

#[test]
fn packages_use_the_named_or_probed_manager() {
    let text = "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq]\n";
    let script = |lowered: &kiln_lowering::Lowered| {
        let exec = execs(&lowered.definition).pop().unwrap();
        let dests: Vec<String> = exec.mounts.iter().map(|m| m.dest.clone()).collect();
        let meta = exec.meta.unwrap();
        assert_eq!(meta.args[2], "eval \"$KILN_PACKAGES_SCRIPT\"");
        (shell_script(&meta), dests)
    };
    // Not probed (no daemon): found at build time, every manager's cache mounted.
    let (any, mounts) = script(&lower_text(text, LowerOptions::default()).unwrap());
    assert!(
        any.contains("command -v apt-get") && mounts.len() == 5,
        "{any} {mounts:?}"
    );
    // Probed: that manager only.
    let probed = LowerOptions {
        package_managers: [(
            "localhost:5000/debian:bookworm".to_string(),
            Some(kiln_dsl::model::PackageManager::Apt),
        )]
        .into(),
        ..Default::default()
    };
    let (apt, mounts) = script(&lower_text(text, probed).unwrap());
    assert!(
        apt.starts_with("set -eu\nexport DEBIAN_FRONTEND=noninteractive") && !apt.contains("apk"),
        "{apt}"
    );
    assert_eq!(mounts, vec!["/", "/var/cache/apt", "/var/lib/apt/lists"]);
    // Named: wins over probing; recommends turns the extras back on.
    let named = "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: { install: [jq], manager: dnf, recommends: true }\n";
    let (dnf, _) = script(&lower_text(named, LowerOptions::default()).unwrap());
    assert!(
        dnf.contains("dnf install -y --setopt=install_weak_deps=True"),
        "{dnf}"
    );
    // Probed and found none: a diagnostic at the packages.
    let none = LowerOptions {
        package_managers: [("localhost:5000/debian:bookworm".to_string(), None)].into(),
        ..Default::default()
    };
    let errors = lower_text(text, none).unwrap_err();
    assert_eq!(errors[0].code, Code::NoPackageManager);
    assert_eq!(errors[0].position(), text.find("jq").unwrap());
    // From scratch there is nothing to install with.
    let scratch = "version: 1\nstages:\n  app:\n    from: scratch\n    packages: [jq]\n";
    assert_eq!(
        lower_text(scratch, LowerOptions::default()).unwrap_err()[0].code,
        Code::NoPackageManager
    );
}

#[test]
fn consecutive_installs_collapse_and_lists_update_once_per_stage() {
    let text = "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq]\n    steps:\n      - packages: [curl]\n      - packages: [bzip2]\n      - run: echo between\n      - packages: [file]\n";
    let options = LowerOptions {
        package_managers: [(
            "localhost:5000/debian:bookworm".to_string(),
            Some(kiln_dsl::model::PackageManager::Apt),
        )]
        .into(),
        ..Default::default()
    };
    let lowered = lower_text(text, options).unwrap();
    let scripts: Vec<String> = execs(&lowered.definition)
        .into_iter()
        .map(|e| shell_script(&e.meta.unwrap()))
        .collect();
    assert_eq!(scripts.len(), 3, "{scripts:#?}");
    assert!(
        scripts[0].contains("apt-get update")
            && scripts[0].ends_with("--no-install-recommends jq curl bzip2"),
        "{}",
        scripts[0]
    );
    assert_eq!(scripts[1], "echo between");
    assert!(
        !scripts[2].contains("apt-get update") && scripts[2].ends_with(" file"),
        "{}",
        scripts[2]
    );
    let names: Vec<String> = lowered
        .definition
        .metadata
        .values()
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n == "[app 1/3] packages: jq curl bzip2"),
        "{names:?}"
    );
}

#[test]
fn zip_downloads_are_unpacked_by_the_tool_image_without_network() {
    let text = "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - download:\n          url: https://example.com/tool.zip\n          sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n          dst: /opt/tool\n          extract: true\n";
    let errors = lower_text(text, LowerOptions::default()).err().unwrap();
    assert_eq!(errors[0].code, Code::UnsupportedFeature);
    assert!(errors[0].help.as_deref().unwrap().contains("--tool-image"));
    let options = LowerOptions {
        tool_image: Some("localhost:5000/kiln:dev".into()),
        ..Default::default()
    };
    let lowered = lower_text(text, options).unwrap();
    let unzip = execs(&lowered.definition)
        .into_iter()
        .find(|e| e.meta.as_ref().unwrap().args[1] == "unzip")
        .expect("an unzip exec");
    assert_eq!(unzip.meta.unwrap().args[2], "/in/tool.zip");
    assert_eq!(unzip.network, pb::NetMode::None as i32);
    let tool_image = ops(&lowered.definition).into_iter().any(|op| {
        matches!(op.op, Some(pb::op::Op::Source(s)) if s.identifier == "docker-image://localhost:5000/kiln:dev")
    });
    assert!(tool_image);
}

#[test]
fn selection_of_targets_and_groups() {
    use kiln_lowering::{Selection, select};
    let text = "version: 1\nstages:\n  s:\n    from: scratch\ntargets:\n  a: { stage: s }\n  b: { stage: s }\n  c: { stage: s }\ngroups:\n  inner: [b, a]\n  outer: [inner, c, a]\n";
    let (model, _) = common::load_text("t.kiln.yaml", text);
    let group = |name: &str, targets: &[&str]| Selection::Group {
        name: name.into(),
        targets: targets.iter().map(|t| t.to_string()).collect(),
    };
    assert_eq!(
        select(&model, Some("outer")).unwrap(),
        group("outer", &["b", "a", "c"])
    );
    assert_eq!(
        select(&model, Some("a")).unwrap(),
        Selection::One("a".into())
    );
    let err = select(&model, None).unwrap_err();
    assert!(
        err.contains("no `default` group") && err.contains("a, b, c, inner, outer"),
        "{err}"
    );
    let with_default = format!("{text}  default: [outer]\n");
    let (model, _) = common::load_text("t.kiln.yaml", &with_default);
    assert_eq!(
        select(&model, None).unwrap(),
        group("default", &["b", "a", "c"])
    );
    let single = format!("{text}  default: [c]\n");
    let (model, _) = common::load_text("t.kiln.yaml", &single);
    assert_eq!(select(&model, None).unwrap(), Selection::One("c".into()));
}
