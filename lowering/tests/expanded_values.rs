//! Values a step takes from `${...}`: replaced before they are used, and checked once
//! replaced (`kiln check` sees only the `${...}`).

mod common;

use common::copy_actions;

use kiln_dsl::Code;
use kiln_lowering::{LowerOptions, lower};
use kiln_proto::pb;
use std::collections::BTreeMap;

fn lower_with(
    text: &str,
    args: &[(&str, &str)],
) -> Result<kiln_lowering::Lowered, Vec<kiln_dsl::Diagnostic>> {
    let (model, file) = common::load_text("t.kiln.yaml", text);
    let build_args: BTreeMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let options = LowerOptions {
        build_args,
        ..Default::default()
    };
    lower(&model, &file, &options)
}

/// Regression: a download's `chown` was used as written, so `${owner}:${group}` gave the
/// files to root (Dockerfile `ADD --chown=${owner}:${group}` expands it; conformance case
/// add-chown-expand).
#[test]
fn a_download_chown_is_expanded_from_env_and_args() {
    let text = "version: 1\nargs:\n  group: ~\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    env: { owner: \"1000\" }\n    steps:\n      - download: { url: \"https://x.example/foo\", sha256: 5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef, dst: /foo, chown: \"${owner}:${group}\" }\n";
    let lowered = lower_with(text, &[("group", "65534")]).unwrap();
    let copies = copy_actions(&lowered.definition);
    let owner = copies[0].owner.clone().unwrap();
    assert_eq!(
        owner.user.unwrap().user,
        Some(pb::user_opt::User::ById(1000))
    );
    assert_eq!(
        owner.group.unwrap().user,
        Some(pb::user_opt::User::ById(65534))
    );
}

/// Regression: a git `commit` from an arg was refused by `kiln check` as not a full hash
/// (the check read `${COMMIT}` itself); it is checked once replaced (case add-git).
#[test]
fn a_git_commit_from_an_arg_is_checked_once_replaced() {
    let text = "version: 1\nargs:\n  COMMIT: ~\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: { git: { url: \"https://git.example/r.git\", commit: \"${COMMIT}\" }, src: ., dst: /src }\n";
    let full = "0123456789abcdef0123456789abcdef01234567";
    assert!(lower_with(text, &[("COMMIT", full)]).is_ok());
    let errors = lower_with(text, &[("COMMIT", "v1.0")]).unwrap_err();
    assert_eq!(errors[0].code, Code::InvalidValue);
    assert!(
        errors[0]
            .message
            .contains("`v1.0` is not a full commit hash")
    );
}
