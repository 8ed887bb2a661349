//! `run` scripts: a shell string runs with `/bin/sh -c`; one that starts with `#!` runs
//! with its interpreter, as a Dockerfile heredoc with a shebang does.

mod common;

use common::ops;

use kiln_lowering::LowerOptions;
use kiln_proto::pb;

/// Regression: a script with a shebang was given to `/bin/sh -c`, which read the awk
/// program as shell (conformance case run-shebang).
#[test]
fn a_script_with_a_shebang_is_written_to_a_file_and_run_by_path() {
    let script = "#!/bin/awk -f\nBEGIN {\n  print \"hello\" >> \"./out1\"\n}\n";
    let text = format!(
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: |\n{}      - run: echo plain\n",
        script
            .lines()
            .map(|l| format!("          {l}\n"))
            .collect::<String>()
    );
    let (model, file) = common::load_text("t.kiln.yaml", &text);
    let lowered = kiln_lowering::lower(&model, &file, &LowerOptions::default()).unwrap();
    let all = ops(&lowered.definition);
    let execs: Vec<&pb::ExecOp> = all
        .iter()
        .filter_map(|op| match &op.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .collect();
    let shebang = execs[0].meta.as_ref().unwrap();
    assert_eq!(shebang.args, vec!["/dev/pipes/script"]);
    let mount = execs[0]
        .mounts
        .iter()
        .find(|m| m.dest == "/dev/pipes/")
        .unwrap();
    assert!(mount.readonly);
    let written = all
        .iter()
        .filter_map(|op| match &op.op {
            Some(pb::op::Op::File(f)) => f.actions.first(),
            _ => None,
        })
        .find_map(|a| match &a.action {
            Some(pb::file_action::Action::Mkfile(m)) => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (written.path.as_str(), written.mode, written.data.as_slice()),
        ("/script", 0o755, script.as_bytes())
    );
    let plain = execs[1].meta.as_ref().unwrap();
    assert_eq!(plain.args, vec!["/bin/sh", "-c", "echo plain"]);
}
