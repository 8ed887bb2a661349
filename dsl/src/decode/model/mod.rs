//! Decoding of each model type from the node tree: the file, its args and stages here, the
//! rest in one module per part of the model.

use super::Decoder;
use crate::diagnostic::catalogue;
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::Sp;

mod copy;
mod image;
mod mount;
mod packages;
mod step;
mod target;

use image::image_config;
use packages::packages;
use step::step;
use target::{group, target};

const FILE_KEYS: &[&str] = &["$schema", "version", "args", "stages", "targets", "groups"];

/// Decode a whole build file. Returns `None` only when the top level is not a map.
pub fn decode_build_file(d: &mut Decoder<'_>, root: &mut Node) -> Option<BuildFile> {
    if matches!(root.kind, NodeKind::Null) {
        d.report(catalogue::empty_file());
        return None;
    }
    let mut f = d.fields(
        root,
        "a build file (a map with `version`, `stages`, ...)",
        FILE_KEYS,
    )?;
    let schema = d.field(&mut f, "$schema", Decoder::string).map(|s| s.value);
    let version = d.required(&mut f, "version", "build file", version);
    let args = d.field_or_default(&mut f, "args", |d, n| d.named(n, |d, _, v| arg(d, v)));
    let stages = d
        .required(&mut f, "stages", "build file", |d, n| {
            d.named(n, |d, _, v| stage(d, v))
        })
        .unwrap_or_default();
    let targets = d.field_or_default(&mut f, "targets", |d, n| d.named(n, |d, _, v| target(d, v)));
    let groups = d.field_or_default(&mut f, "groups", |d, n| d.named(n, |d, _, v| group(d, v)));
    Some(BuildFile {
        schema,
        version: version.unwrap_or_else(|| Sp::new(1, root.span)),
        args,
        stages,
        targets,
        groups,
    })
}

fn version(d: &mut Decoder<'_>, node: &mut Node) -> Option<Sp<u32>> {
    let version = d.unsigned::<u32>(node)?;
    if version.value != 1 {
        d.report(catalogue::unsupported_version(version.value, node.span));
    }
    Some(version)
}

fn arg(d: &mut Decoder<'_>, node: &mut Node) -> Option<Arg> {
    match &node.kind {
        NodeKind::Null => Some(Arg::default()),
        NodeKind::Map(_) => {
            let mut f = d.fields(node, "an arg", &["default", "description"])?;
            Some(Arg {
                default: d.field(&mut f, "default", |d, n| match n.kind {
                    NodeKind::Null => None,
                    _ => d.text(n),
                }),
                description: d
                    .field(&mut f, "description", Decoder::string)
                    .map(|s| s.value),
            })
        }
        _ => Some(Arg {
            default: Some(d.text(node)?),
            description: None,
        }),
    }
}

const STAGE_KEYS: &[&str] = &[
    "from",
    "platform",
    "description",
    "packages",
    "env",
    "workdir",
    "user",
    "steps",
    "image",
];

fn stage(d: &mut Decoder<'_>, node: &mut Node) -> Option<Stage> {
    let mut f = d.fields(node, "a stage", STAGE_KEYS)?;
    let from = d.required(&mut f, "from", "stage", Decoder::string);
    let stage = Stage {
        from: from.unwrap_or_default(),
        platform: d.field(&mut f, "platform", Decoder::string),
        description: d
            .field(&mut f, "description", Decoder::string)
            .map(|s| s.value),
        packages: d.field_or_default(&mut f, "packages", packages),
        env: d.field_or_default(&mut f, "env", Decoder::string_map),
        workdir: d.field(&mut f, "workdir", Decoder::string),
        user: d.field(&mut f, "user", Decoder::text),
        steps: d.field_or_default(&mut f, "steps", |d, n| d.list(n, step)),
        image: d.field(&mut f, "image", image_config),
    };
    Some(stage)
}
