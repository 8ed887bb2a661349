//! Decoding of targets, their outputs, and groups.

use crate::decode::{Decoder, Fields};
use crate::model::*;
use crate::node::{Node, NodeKind};

const TARGET_KEYS: &[&str] = &[
    "stage",
    "description",
    "tags",
    "platforms",
    "args",
    "labels",
    "output",
    "cache_from",
    "cache_to",
];

pub(super) fn target(d: &mut Decoder<'_>, node: &Node) -> Option<Target> {
    let f = d.fields(node, "a target", TARGET_KEYS)?;
    let stage = d.required(&f, "stage", "target", |d, n| d.string(n));
    Some(Target {
        stage: stage.unwrap_or_default(),
        description: d
            .field(&f, "description", |d, n| d.string(n))
            .map(|s| s.value),
        tags: d
            .field(&f, "tags", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        platforms: d
            .field(&f, "platforms", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        args: d
            .field(&f, "args", |d, n| d.string_map(n))
            .unwrap_or_default(),
        labels: d
            .field(&f, "labels", |d, n| d.string_map(n))
            .unwrap_or_default(),
        output: d.field(&f, "output", output),
        cache_from: d
            .field(&f, "cache_from", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        cache_to: d
            .field(&f, "cache_to", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
    })
}

const OUTPUT_KINDS: &[(&str, OutputKind)] = &[
    ("image", OutputKind::Image),
    ("registry", OutputKind::Registry),
    ("local", OutputKind::Local),
    ("tar", OutputKind::Tar),
];

pub(super) fn output(d: &mut Decoder<'_>, node: &Node) -> Option<Output> {
    if let NodeKind::Str(_) = node.kind {
        return Some(Output {
            kind: d.choice(node, OUTPUT_KINDS)?,
            dest: None,
        });
    }
    let f: Fields<'_> = d.fields(
        node,
        "an output (`image`, `local`, ... or a map with `type`)",
        &["type", "dest"],
    )?;
    let kind = d.required(&f, "type", "output", |d, n| d.choice(n, OUTPUT_KINDS))?;
    Some(Output {
        kind,
        dest: d.field(&f, "dest", |d, n| d.string(n)),
    })
}

pub(super) fn group(d: &mut Decoder<'_>, node: &Node) -> Option<Group> {
    if let NodeKind::Seq(_) = node.kind {
        let targets = d.list(node, |d, n| d.string(n))?;
        return Some(Group {
            targets,
            description: None,
        });
    }
    let f = d.fields(
        node,
        "a group (a list of names, or a map with `targets`)",
        &["targets", "description"],
    )?;
    Some(Group {
        targets: d
            .required(&f, "targets", "group", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        description: d
            .field(&f, "description", |d, n| d.string(n))
            .map(|s| s.value),
    })
}
