//! Decoding of the steps that bring files in: `copy` (with its `git` source) and `download`.

use crate::decode::Decoder;
use crate::model::*;
use crate::node::{Node, NodeKind};

const COPY_KEYS: &[&str] = &[
    "src", "dst", "from", "context", "git", "exclude", "chown", "chmod", "link",
];

pub(super) fn copy(d: &mut Decoder<'_>, node: &Node) -> Option<Copy> {
    let f = d.fields(node, "a copy (a map with `src` and `dst`)", COPY_KEYS)?;
    let src = d.required(&f, "src", "copy", |d, n| d.one_or_many(n));
    let dst = d.required(&f, "dst", "copy", |d, n| d.string(n));
    Some(Copy {
        from: d.field(&f, "from", |d, n| d.string(n)),
        context: d.field(&f, "context", |d, n| d.string(n)),
        git: d.field(&f, "git", git_source),
        exclude: d
            .field(&f, "exclude", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        chown: d.field(&f, "chown", |d, n| d.text(n)),
        chmod: d.field(&f, "chmod", |d, n| d.text(n)),
        link: d.field(&f, "link", |d, n| d.bool(n)),
        src: src?,
        dst: dst?,
    })
}

pub(super) fn download(d: &mut Decoder<'_>, node: &Node) -> Option<Download> {
    let f = d.fields(
        node,
        "a download (a map with `url`, `sha256`, `dst`)",
        &[
            "url", "sha256", "dst", "mode", "chown", "insecure", "extract",
        ],
    )?;
    let url = d.required(&f, "url", "download", per_platform);
    let dst = d.required(&f, "dst", "download", |d, n| d.string(n));
    Some(Download {
        sha256: d.field(&f, "sha256", per_platform),
        mode: d.field(&f, "mode", |d, n| d.text(n)),
        chown: d.field(&f, "chown", |d, n| d.text(n)),
        insecure: d.field(&f, "insecure", |d, n| d.bool(n)),
        extract: d.field(&f, "extract", |d, n| d.bool(n)),
        url: url?,
        dst: dst?,
    })
}

pub(super) fn per_platform(d: &mut Decoder<'_>, node: &Node) -> Option<PerPlatform> {
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

pub(super) fn git_source(d: &mut Decoder<'_>, node: &Node) -> Option<GitSource> {
    let f = d.fields(
        node,
        "a git source (a map with `url`)",
        &["url", "ref", "commit", "keep_git_dir", "subdir"],
    )?;
    let url = d.required(&f, "url", "git source", |d, n| d.string(n));
    Some(GitSource {
        reference: d.field(&f, "ref", |d, n| d.text(n)),
        commit: d.field(&f, "commit", |d, n| d.string(n)),
        keep_git_dir: d.field(&f, "keep_git_dir", |d, n| d.bool(n)),
        subdir: d.field(&f, "subdir", |d, n| d.string(n)),
        url: url?,
    })
}
