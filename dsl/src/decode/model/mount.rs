//! Decoding of a `run` step's mounts.

use super::report_no_kind;
use crate::decode::Decoder;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::Sp;

pub(super) fn mount(d: &mut Decoder<'_>, node: &Node) -> Option<Sp<Mount>> {
    let Some(entries) = node.as_map() else {
        d.type_mismatch(node, "a mount (a map such as `cache: /root/.cache`)");
        return None;
    };
    let kinds: Vec<(&str, &Node)> = entries
        .iter()
        .filter_map(|(k, _)| match &k.kind {
            NodeKind::Str(s) if MOUNT_KINDS.contains(&s.as_str()) => Some((s.as_str(), k)),
            _ => None,
        })
        .collect();
    let (kind, kind_key) = match kinds.as_slice() {
        [one] => *one,
        [] => {
            // Only a string first key is named: a mount's kind is always its first word.
            let first = entries.first().and_then(|(k, _)| match &k.kind {
                NodeKind::Str(s) => Some((s.as_str(), k.span)),
                _ => None,
            });
            let message = format!("this mount at {} does not say its kind", d.path());
            report_no_kind(d, node, "mount", message, first, MOUNT_KINDS);
            return None;
        }
        [(first, _), (second, second_key), ..] => {
            d.report(
                Diagnostic::error(
                    Code::AmbiguousStep,
                    format!("a mount has one kind, but this one has `{first}` and `{second}`"),
                )
                .with_label(second_key.span, "second mount kind")
                .with_help("write two mounts, each its own `- ` list item"),
            );
            return None;
        }
    };
    let mount = match kind {
        "cache" => Mount::Cache(cache_mount(d, node)?),
        "secret" => Mount::Secret(secret_mount(d, node)?),
        "ssh" => Mount::Ssh(ssh_mount(d, node)?),
        "tmpfs" => Mount::Tmpfs(tmpfs_mount(d, node)?),
        "bind" => Mount::Bind(bind_mount(d, node)?),
        _ => unreachable!("kind is one of MOUNT_KINDS"),
    };
    Some(Sp::new(mount, kind_key.span))
}

fn cache_mount(d: &mut Decoder<'_>, node: &Node) -> Option<CacheMount> {
    let f = d.fields(node, "a cache mount", &["cache", "id", "sharing"])?;
    Some(CacheMount {
        cache: d.field(&f, "cache", Decoder::string)?,
        id: d.field(&f, "id", Decoder::string),
        sharing: d.field(&f, "sharing", |d, n| {
            d.choice(
                n,
                &[
                    ("shared", Sharing::Shared),
                    ("private", Sharing::Private),
                    ("locked", Sharing::Locked),
                ],
            )
        }),
    })
}

fn secret_mount(d: &mut Decoder<'_>, node: &Node) -> Option<SecretMount> {
    let f = d.fields(
        node,
        "a secret mount",
        &["secret", "target", "env", "required"],
    )?;
    Some(SecretMount {
        secret: d.field(&f, "secret", Decoder::string)?,
        target: d.field(&f, "target", Decoder::string),
        env: d.field(&f, "env", Decoder::string),
        required: d.field(&f, "required", Decoder::bool),
    })
}

fn ssh_mount(d: &mut Decoder<'_>, node: &Node) -> Option<SshMount> {
    let f = d.fields(node, "an ssh mount", &["ssh", "target", "required"])?;
    Some(SshMount {
        ssh: d.field(&f, "ssh", Decoder::string)?,
        target: d.field(&f, "target", Decoder::string),
        required: d.field(&f, "required", Decoder::bool),
    })
}

fn tmpfs_mount(d: &mut Decoder<'_>, node: &Node) -> Option<TmpfsMount> {
    let f = d.fields(node, "a tmpfs mount", &["tmpfs", "size"])?;
    Some(TmpfsMount {
        tmpfs: d.field(&f, "tmpfs", Decoder::string)?,
        size: d.field(&f, "size", Decoder::unsigned),
    })
}

fn bind_mount(d: &mut Decoder<'_>, node: &Node) -> Option<BindMount> {
    let f = d.fields(
        node,
        "a bind mount",
        &["bind", "from", "context", "source", "readonly"],
    )?;
    Some(BindMount {
        bind: d.field(&f, "bind", Decoder::string)?,
        from: d.field(&f, "from", Decoder::string),
        context: d.field(&f, "context", Decoder::string),
        source: d.field(&f, "source", Decoder::string),
        readonly: d.field(&f, "readonly", Decoder::bool),
    })
}
