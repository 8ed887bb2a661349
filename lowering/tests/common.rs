//! Shared helpers: load a build file (checked clean) and lower it.

#![allow(dead_code)]

use kiln_dsl::{BuildFile, Limits, SourceFile};
use kiln_lowering::{LowerOptions, Lowered};
use kiln_proto::pb;
use prost::Message;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn load_text(name: &str, text: &str) -> (BuildFile, SourceFile) {
    let checked = kiln_dsl::check_bytes(name, text.as_bytes(), &Limits::default());
    assert!(
        !checked.has_errors(),
        "{name} should check clean: {:#?}",
        checked.diagnostics
    );
    (checked.model.unwrap(), checked.file)
}

pub fn load(path: &Path) -> (BuildFile, SourceFile) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path
        .strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string();
    load_text(&name, &text)
}

pub fn lower(model: &BuildFile, file: &SourceFile, target: Option<&str>) -> Lowered {
    let options = LowerOptions {
        target: target.map(str::to_string),
        ..Default::default()
    };
    kiln_lowering::lower(model, file, &options)
        .unwrap_or_else(|d| panic!("lowering failed: {d:#?}"))
}

/// Every example file with each of its targets (or the default when it has none).
pub fn example_targets() -> Vec<(PathBuf, Option<String>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let (model, _) = load(&path);
        if model.targets.is_empty() {
            out.push((path, None));
        } else {
            for name in model.targets.keys() {
                out.push((path.clone(), Some(name.value.clone())));
            }
        }
    }
    out
}

/// The ops of a Definition, decoded.
pub fn ops(def: &pb::Definition) -> Vec<pb::Op> {
    def.def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).unwrap())
        .collect()
}

/// The exec ops of a Definition.
pub fn execs(def: &pb::Definition) -> Vec<pb::ExecOp> {
    ops(def)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// The copy actions of a Definition's file ops.
pub fn copy_actions(def: &pb::Definition) -> Vec<pb::FileActionCopy> {
    ops(def)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::File(f)) => Some(f.actions),
            _ => None,
        })
        .flatten()
        .filter_map(|a| match a.action {
            Some(pb::file_action::Action::Copy(c)) => Some(c),
            _ => None,
        })
        .collect()
}
