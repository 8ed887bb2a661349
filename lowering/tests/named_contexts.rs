//! Named build contexts: what a `copy` or `bind` with `context:` reads.

mod common;

use kiln_lowering::{LowerOptions, lower};
use kiln_proto::pb;
use prost::Message;
use std::collections::BTreeMap;

fn local_sources(def: &pb::Definition) -> Vec<pb::SourceOp> {
    def.def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).unwrap())
        .filter_map(|op| match op.op {
            Some(pb::op::Op::Source(s)) if s.identifier.starts_with("local://") => Some(s),
            _ => None,
        })
        .collect()
}

/// Regression: a named local directory was sent whole, its own `.dockerignore` ignored
/// (the Dockerfile frontend applies it; conformance case named-context-local).
#[test]
fn a_named_local_context_leaves_out_what_its_dockerignore_lists() {
    let text = "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: { context: base, src: \"/o*\", dst: / }\n";
    let (model, file) = common::load_text("t.kiln.yaml", text);
    let options = LowerOptions {
        named_contexts: BTreeMap::from([("base".into(), "local:basedir".into())]),
        context_ignores: BTreeMap::from([("basedir".into(), vec!["out2".into()])]),
        ..Default::default()
    };
    let lowered = lower(&model, &file, &options).unwrap();
    let sources = local_sources(&lowered.definition);
    let named = sources
        .iter()
        .find(|s| s.identifier == "local://basedir")
        .unwrap();
    assert_eq!(named.attrs["local.excludepatterns"], "[\"out2\"]");
}

/// The lines of the build file each op of `def` is located at, by the op's first attr or
/// identifier.
fn located_lines(def: &pb::Definition) -> Vec<(String, Vec<i32>)> {
    let source = def.source.as_ref().expect("the source is attached");
    let mut found = Vec::new();
    for bytes in &def.def {
        let op = pb::Op::decode(bytes.as_slice()).unwrap();
        let what = match &op.op {
            Some(pb::op::Op::Source(s)) => s.identifier.clone(),
            Some(pb::op::Op::File(_)) => "file".to_string(),
            _ => continue,
        };
        let digest = kiln_proto::digest(bytes);
        let lines = source.locations.get(&digest).map(|l| {
            let ranges = l.locations.iter().flat_map(|l| &l.ranges);
            ranges.map(|r| r.start.unwrap().line).collect()
        });
        found.push((what, lines.unwrap_or_default()));
    }
    found
}

/// The main context is built once per lowering; every copy that reads it is still a
/// location of each of its ops (a tar context has two: the download and the unpack).
#[test]
fn every_copy_from_the_main_context_locates_its_ops() {
    let text = "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: { src: a, dst: /a }\n      - copy: { src: b, dst: /b }\n";
    let (model, file) = common::load_text("t.kiln.yaml", text);
    for tar in [None, Some("http://build-context-1/context.tar")] {
        let options = LowerOptions {
            context_tar_url: tar.map(str::to_string),
            ..Default::default()
        };
        let lowered = lower(&model, &file, &options).unwrap();
        let located = located_lines(&lowered.definition);
        let context: Vec<_> = located
            .iter()
            .filter(|(what, lines)| {
                what.starts_with("local://") || what.starts_with("http://") || lines.len() == 2
            })
            .collect();
        let expected = if tar.is_some() { 2 } else { 1 };
        assert_eq!(context.len(), expected, "{located:?}");
        for (what, lines) in context {
            assert_eq!(lines, &[6, 7], "{what} is where both copies are");
        }
    }
}
