//! Dockerfile parity of lowering (the gaps found by tests/conformance/dockerfile, each also
//! a case there, built on every engine): empty wildcards, scratch's config, mount stubs,
//! modes and ports checked after expansion, linked copies without MergeOp, cache mount
//! owners and sources, and Docker's healthcheck forms.

mod common;

use kiln_dsl::Code;
use kiln_lowering::{CapSet, LowerOptions, Lowered, lower};
use kiln_proto::pb;

fn ops(lowered: &Lowered) -> Vec<pb::Op> {
    common::ops(&lowered.definition)
}

fn copies(lowered: &Lowered) -> Vec<pb::FileActionCopy> {
    common::copy_actions(&lowered.definition)
}

fn execs(lowered: &Lowered) -> Vec<pb::ExecOp> {
    common::execs(&lowered.definition)
}

fn lower_text(text: &str, options: LowerOptions) -> Result<Lowered, Vec<kiln_dsl::Diagnostic>> {
    let (model, file) = common::load_text("t.kiln.yaml", text);
    lower(&model, &file, &options)
}

fn lowered(text: &str) -> Lowered {
    lower_text(text, LowerOptions::default()).unwrap_or_else(|d| panic!("{d:#?}"))
}

#[test]
fn a_wildcard_may_match_nothing_and_a_scratch_stage_has_dockerfiles_config() {
    let l = lowered(
        "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: { src: [foo, \"nomatch*\"], dst: / }\n      - run: [/bin/true]\n",
    );
    let copies = copies(&l);
    assert_eq!(copies.len(), 2);
    assert!(
        copies
            .iter()
            .all(|c| c.allow_wildcard && c.allow_empty_wildcard)
    );
    let path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    assert_eq!(l.image.config.env.as_deref(), Some(&[path.to_string()][..]));
    assert_eq!(l.image.config.working_dir.as_deref(), Some("/"));
    let exec = &execs(&l)[0];
    let meta = exec.meta.as_ref().unwrap();
    assert_eq!(meta.env, [path], "the run step gets the PATH too");
    assert!(meta.remove_mount_stubs_recursive);
}

#[test]
fn modes_and_ports_are_checked_once_expanded() {
    let text = |mode: &str, port: &str| {
        format!(
            "version: 1\nargs:\n  MODE: ~\n  PORT: ~\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - copy: {{ src: a, dst: /a, chmod: \"${{MODE}}\" }}\n    image:\n      expose: [\"${{PORT}}\"]\n# {mode} {port}\n"
        )
    };
    let with = |mode: &str, port: &str| LowerOptions {
        build_args: [("MODE", mode), ("PORT", port)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    };
    let good = lower_text(&text("", ""), with("0751", "8080")).unwrap();
    assert_eq!(copies(&good)[0].mode, 0o751);
    assert!(
        good.image
            .config
            .exposed_ports
            .unwrap()
            .contains_key("8080/tcp")
    );
    let errors = lower_text(&text("", ""), with("rwx", "http")).unwrap_err();
    let codes: Vec<Code> = errors.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [Code::InvalidMode, Code::InvalidValue],
        "{errors:#?}"
    );
    assert!(errors[0].message.contains("`rwx`"), "{errors:#?}");
    assert!(errors[1].message.contains("`http`"), "{errors:#?}");
}

#[test]
fn a_linked_copy_without_mergeop_is_a_plain_copy() {
    let text = "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - copy: { src: a, dst: /a, link: true }\n";
    let has_merge = |l: &Lowered| {
        ops(l)
            .iter()
            .any(|op| matches!(op.op, Some(pb::op::Op::Merge(_))))
    };
    assert!(has_merge(&lowered(text)));
    let mut caps = match CapSet::buildkit_v0_8() {
        CapSet::Only(caps) => caps,
        CapSet::All => unreachable!(),
    };
    caps.insert("file.copy.includeexcludepatterns".into());
    let without = LowerOptions {
        caps: CapSet::Only(caps),
        ..Default::default()
    };
    let plain = lower_text(text, without).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(!has_merge(&plain));
    assert_eq!(copies(&plain)[0].dest, "/a");
}

#[test]
fn cache_mounts_take_owner_mode_and_a_source() {
    let l = lowered(
        "version: 1\nstages:\n  seed:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: mkdir /seed\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: ls /c /d\n        mounts:\n          - cache: /c\n            uid: 1001\n            gid: 1002\n            mode: \"0751\"\n          - cache: /d\n            from: seed\n            source: /seed\n            readonly: true\ntargets:\n  app: { stage: app }\n",
    );
    let mkdir = ops(&l)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::File(f)) => f.actions.into_iter().next()?.action,
            _ => None,
        })
        .find_map(|a| match a {
            pb::file_action::Action::Mkdir(m) => Some(m),
            _ => None,
        })
        .expect("the cache directory is made");
    assert_eq!((mkdir.path.as_str(), mkdir.mode), ("/cache", 0o751));
    let owner = mkdir.owner.unwrap();
    assert_eq!(
        owner.user.unwrap().user,
        Some(pb::user_opt::User::ById(1001))
    );
    assert_eq!(
        owner.group.unwrap().user,
        Some(pb::user_opt::User::ById(1002))
    );
    let exec = execs(&l).pop().unwrap();
    let caches: Vec<&pb::Mount> = exec
        .mounts
        .iter()
        .filter(|m| m.mount_type == pb::MountType::Cache as i32)
        .collect();
    assert_eq!(caches.len(), 2);
    assert_eq!(
        (caches[0].selector.as_str(), caches[0].readonly),
        ("cache", false)
    );
    assert!(
        caches[0].input >= 0,
        "the cache starts from the made directory"
    );
    assert_eq!(
        (caches[1].selector.as_str(), caches[1].readonly),
        ("seed", true)
    );
    assert!(caches[1].input >= 0, "the cache starts from the seed stage");
}

#[test]
fn healthchecks_take_dockers_own_forms() {
    let test = |t: &str| {
        let l = lowered(&format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    image:\n      healthcheck: {{ test: {t} }}\n"
        ));
        l.image.config.healthcheck.unwrap()["Test"].clone()
    };
    assert_eq!(test("[CMD, \"true\"]"), serde_json::json!(["CMD", "true"]));
    assert_eq!(test("[\"true\"]"), serde_json::json!(["CMD", "true"]));
    assert_eq!(
        test("[CMD-SHELL, exit 0]"),
        serde_json::json!(["CMD-SHELL", "exit 0"])
    );
    assert_eq!(test("exit 0"), serde_json::json!(["CMD-SHELL", "exit 0"]));
    assert_eq!(test("[NONE]"), serde_json::json!(["NONE"]));
}

#[test]
fn a_download_url_is_checked_once_expanded() {
    let text = format!(
        "version: 1\nargs:\n  SERVER: ~\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download: {{ url: \"${{SERVER}}/f\", sha256: {}, dst: /f }}\n",
        "a".repeat(64)
    );
    let with = |server: &str| LowerOptions {
        build_args: [("SERVER".to_string(), server.to_string())].into(),
        ..Default::default()
    };
    assert!(lower_text(&text, with("http://127.0.0.1:8000")).is_ok());
    let errors = lower_text(&text, with("ftp://x")).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, Code::InvalidUrl);
    assert!(errors[0].message.contains("`ftp://x/f`"), "{errors:#?}");
}
