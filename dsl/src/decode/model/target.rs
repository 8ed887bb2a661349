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

pub(super) fn target(d: &mut Decoder<'_>, node: &mut Node) -> Option<Target> {
    let mut f = d.fields(node, "a target", TARGET_KEYS)?;
    let stage = d.required(&mut f, "stage", "target", Decoder::string);
    Some(Target {
        stage: stage.unwrap_or_default(),
        description: d
            .field(&mut f, "description", Decoder::string)
            .map(|s| s.value),
        tags: d.field_or_default(&mut f, "tags", Decoder::string_list),
        platforms: d.field_or_default(&mut f, "platforms", Decoder::string_list),
        args: d.field_or_default(&mut f, "args", Decoder::string_map),
        labels: d.field_or_default(&mut f, "labels", Decoder::string_map),
        output: d.field(&mut f, "output", output),
        cache_from: d.field_or_default(&mut f, "cache_from", Decoder::string_list),
        cache_to: d.field_or_default(&mut f, "cache_to", Decoder::string_list),
    })
}

const OUTPUT_KINDS: &[(&str, OutputKind)] = &[
    ("image", OutputKind::Image),
    ("registry", OutputKind::Registry),
    ("local", OutputKind::Local),
    ("tar", OutputKind::Tar),
];

pub(super) fn output(d: &mut Decoder<'_>, node: &mut Node) -> Option<Output> {
    if let NodeKind::Str(_) = node.kind {
        return Some(Output {
            kind: d.choice(node, OUTPUT_KINDS)?,
            dest: None,
        });
    }
    let mut f: Fields<'_> = d.fields(
        node,
        "an output (`image`, `local`, ... or a map with `type`)",
        &["type", "dest"],
    )?;
    let kind = d.required(&mut f, "type", "output", |d, n| d.choice(n, OUTPUT_KINDS))?;
    Some(Output {
        kind,
        dest: d.field(&mut f, "dest", Decoder::string),
    })
}

pub(super) fn group(d: &mut Decoder<'_>, node: &mut Node) -> Option<Group> {
    if let NodeKind::Seq(_) = node.kind {
        let targets = d.string_list(node)?;
        return Some(Group {
            targets,
            description: None,
        });
    }
    let mut f = d.fields(
        node,
        "a group (a list of names, or a map with `targets`)",
        &["targets", "description"],
    )?;
    Some(Group {
        targets: d
            .required(&mut f, "targets", "group", Decoder::string_list)
            .unwrap_or_default(),
        description: d
            .field(&mut f, "description", Decoder::string)
            .map(|s| s.value),
    })
}
