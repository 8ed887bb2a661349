//! Structural properties of every Definition kiln produces, and determinism.

mod common;

use kiln_proto::pb;
use prost::Message;
use std::collections::BTreeSet;

fn check_definition(def: &pb::Definition, what: &str) {
    assert!(
        def.def.len() >= 2,
        "{what}: BuildKit needs at least two ops"
    );
    let digests: Vec<String> = def.def.iter().map(|b| kiln_proto::digest(b)).collect();
    let unique: BTreeSet<&String> = digests.iter().collect();
    assert_eq!(
        unique.len(),
        digests.len(),
        "{what}: two ops with equal bytes"
    );
    let ops: Vec<pb::Op> = def
        .def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).unwrap())
        .collect();
    for (op, bytes) in ops.iter().zip(&def.def) {
        assert_eq!(
            &op.encode_to_vec(),
            bytes,
            "{what}: decoding and encoding must round-trip"
        );
        for input in &op.inputs {
            assert!(
                unique.contains(&input.digest),
                "{what}: input {} is not in the Definition",
                input.digest
            );
        }
    }
    let terminals: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| op.op.is_none())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        terminals,
        vec![ops.len() - 1],
        "{what}: exactly one terminal op, last"
    );
    assert_eq!(
        ops.last().unwrap().inputs.len(),
        1,
        "{what}: the terminal selects one result"
    );
    for digest in &digests {
        assert!(
            def.metadata.contains_key(digest),
            "{what}: metadata for every op"
        );
    }
    // Every op but the terminal is needed by the result (nothing unused is sent).
    let mut needed = BTreeSet::new();
    let mut work = vec![ops.last().unwrap().inputs[0].digest.clone()];
    while let Some(d) = work.pop() {
        if needed.insert(d.clone()) {
            let i = digests.iter().position(|x| *x == d).unwrap();
            work.extend(ops[i].inputs.iter().map(|inp| inp.digest.clone()));
        }
    }
    assert_eq!(
        needed.len(),
        ops.len() - 1,
        "{what}: only ops the result needs"
    );
    // Inputs come before the ops that use them.
    for (i, op) in ops.iter().enumerate() {
        for input in &op.inputs {
            let at = digests.iter().position(|d| *d == input.digest).unwrap();
            assert!(at < i, "{what}: input after its user");
        }
    }
}

#[test]
fn every_example_definition_is_well_formed() {
    for (path, target) in common::example_targets() {
        let (model, file) = common::load(&path);
        let lowered = common::lower(&model, &file, target.as_deref());
        let what = format!("{} {:?}", path.display(), target);
        check_definition(&lowered.definition, &what);
        // Every op carries a source location into the build file.
        let source = lowered
            .definition
            .source
            .as_ref()
            .expect("source info attached");
        assert_eq!(source.infos[0].filename, file.name);
        for (digest, meta) in &lowered.definition.metadata {
            if meta.description.contains_key("llb.customname") {
                assert!(
                    source.locations.contains_key(digest),
                    "{what}: op without a location"
                );
            }
        }
    }
}

#[test]
fn lowering_is_byte_identical_across_runs() {
    for (path, target) in common::example_targets() {
        let (model, file) = common::load(&path);
        let a = common::lower(&model, &file, target.as_deref())
            .definition
            .encode_to_vec();
        let (model, file) = common::load(&path);
        let b = common::lower(&model, &file, target.as_deref())
            .definition
            .encode_to_vec();
        assert_eq!(a, b, "{}", path.display());
    }
}

#[test]
fn maps_with_many_keys_encode_in_one_order() {
    // Labels, env and cache ids in many orders: BTreeMap-backed maps make the bytes equal
    // whatever order the file lists them in.
    let mut keys: Vec<String> = (0..64).map(|i| format!("K{:02}", (i * 37) % 64)).collect();
    let file_with = |keys: &[String]| {
        let labels: String = keys
            .iter()
            .map(|k| format!("        {k}: v{k}\n"))
            .collect();
        format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: echo hi\n    image:\n      labels:\n{labels}"
        )
    };
    let (model, file) = common::load_text("a.yaml", &file_with(&keys));
    let first = common::lower(&model, &file, None);
    keys.reverse();
    let (model, file) = common::load_text("a.yaml", &file_with(&keys));
    let second = common::lower(&model, &file, None);
    let ops = |d: &pb::Definition| d.def.clone();
    assert_eq!(ops(&first.definition), ops(&second.definition));
    assert_eq!(
        serde_json::to_string(&first.image.config.labels).unwrap(),
        serde_json::to_string(&second.image.config.labels).unwrap()
    );
}

#[test]
fn only_the_stages_a_target_needs_are_lowered() {
    let (model, file) = common::load(&common::repo().join("examples/group.kiln.yaml"));
    let docs = common::lower(&model, &file, Some("docs"));
    let names: Vec<String> = docs
        .definition
        .metadata
        .values()
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("[api") && !n.contains("[base")),
        "{names:?}"
    );
    let api = common::lower(&model, &file, Some("api"));
    let worker = common::lower(&model, &file, Some("worker"));
    // The shared base stage lowers to the same ops for both targets.
    let base_ops = |d: &pb::Definition| -> BTreeSet<String> {
        d.metadata
            .iter()
            .filter(|(_, m)| {
                m.description
                    .get("llb.customname")
                    .is_some_and(|n| n.starts_with("[base"))
            })
            .map(|(k, _)| k.clone())
            .collect()
    };
    assert!(!base_ops(&api.definition).is_empty());
    assert_eq!(base_ops(&api.definition), base_ops(&worker.definition));
}
