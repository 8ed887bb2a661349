//! Decoding of the steps that bring files in: `copy` (with its `git` source) and `download`.

use crate::decode::Decoder;
use crate::model::*;
use crate::node::{Node, NodeKind};

const COPY_KEYS: &[&str] = &[
    "src", "dst", "from", "context", "git", "exclude", "chown", "chmod", "link",
];

pub(super) fn copy(d: &mut Decoder<'_>, node: &mut Node) -> Option<Copy> {
    let mut f = d.fields(node, "a copy (a map with `src` and `dst`)", COPY_KEYS)?;
    let src = d.required(&mut f, "src", "copy", Decoder::one_or_many);
    let dst = d.required(&mut f, "dst", "copy", Decoder::string);
    Some(Copy {
        from: d.field(&mut f, "from", Decoder::string),
        context: d.field(&mut f, "context", Decoder::string),
        git: d.field(&mut f, "git", git_source),
        exclude: d.field_or_default(&mut f, "exclude", Decoder::string_list),
        chown: d.field(&mut f, "chown", Decoder::text),
        chmod: d.field(&mut f, "chmod", Decoder::text),
        link: d.field(&mut f, "link", Decoder::bool),
        src: src?,
        dst: dst?,
    })
}

pub(super) fn download(d: &mut Decoder<'_>, node: &mut Node) -> Option<Download> {
    let mut f = d.fields(
        node,
        "a download (a map with `url`, `sha256`, `dst`)",
        &[
            "url", "sha256", "dst", "mode", "chown", "insecure", "extract",
        ],
    )?;
    let url = d.required(&mut f, "url", "download", per_platform);
    let dst = d.required(&mut f, "dst", "download", Decoder::string);
    Some(Download {
        sha256: d.field(&mut f, "sha256", digest_per_platform),
        mode: d.field(&mut f, "mode", Decoder::text),
        chown: d.field(&mut f, "chown", Decoder::text),
        insecure: d.field(&mut f, "insecure", Decoder::bool),
        extract: d.field(&mut f, "extract", Decoder::bool),
        url: url?,
        dst: dst?,
    })
}

pub(super) fn per_platform(d: &mut Decoder<'_>, node: &mut Node) -> Option<PerPlatform> {
    match &node.kind {
        NodeKind::Map(_) => Some(PerPlatform::ByPlatform(
            d.named(node, |d, _, v| d.string(v))?,
        )),
        NodeKind::Str(_) => Some(PerPlatform::All(d.string(node)?)),
        _ => {
            d.type_mismatch(node, "a string or a map of platform to string");
            None
        }
    }
}

/// A `sha256`: like [`per_platform`], but a digest YAML reads as a number (all 64 hex
/// digits decimal ones, unquoted) is taken as written: it is a valid digest, and one error
/// ("not a string") would otherwise become two ("a download needs a sha256").
fn digest_per_platform(d: &mut Decoder<'_>, node: &mut Node) -> Option<PerPlatform> {
    match &node.kind {
        NodeKind::Map(_) => Some(PerPlatform::ByPlatform(d.named(node, |d, _, v| d.text(v))?)),
        NodeKind::Str(_) | NodeKind::Int(_) | NodeKind::Float(_) => {
            Some(PerPlatform::All(d.text(node)?))
        }
        _ => {
            d.type_mismatch(node, "a string or a map of platform to string");
            None
        }
    }
}

pub(super) fn git_source(d: &mut Decoder<'_>, node: &mut Node) -> Option<GitSource> {
    let mut f = d.fields(
        node,
        "a git source (a map with `url`)",
        &["url", "ref", "commit", "keep_git_dir", "subdir"],
    )?;
    let url = d.required(&mut f, "url", "git source", Decoder::string);
    Some(GitSource {
        reference: d.field(&mut f, "ref", Decoder::text),
        commit: d.field(&mut f, "commit", Decoder::string),
        keep_git_dir: d.field(&mut f, "keep_git_dir", Decoder::bool),
        subdir: d.field(&mut f, "subdir", Decoder::string),
        url: url?,
    })
}
