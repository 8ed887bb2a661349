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
