//! Decoding of a `run` step's mounts.

use crate::decode::Decoder;
use crate::diagnostic::catalogue;
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::{Sp, Span};

pub(super) fn mount(d: &mut Decoder<'_>, node: &mut Node) -> Option<Sp<Mount>> {
    let (kind, span) = mount_kind(d, node)?;
    let mount = match kind {
        "cache" => Mount::Cache(cache_mount(d, node)?),
        "secret" => Mount::Secret(secret_mount(d, node)?),
        "ssh" => Mount::Ssh(ssh_mount(d, node)?),
        "tmpfs" => Mount::Tmpfs(tmpfs_mount(d, node)?),
        "bind" => Mount::Bind(bind_mount(d, node)?),
        _ => unreachable!("kind is one of MOUNT_KINDS"),
    };
    Some(Sp::new(mount, span))
}

/// Which kind of mount `node` is and the span of its kind key, or `None` after reporting
/// why it has no one kind.
fn mount_kind(d: &mut Decoder<'_>, node: &Node) -> Option<(&'static str, Span)> {
    let Some(entries) = node.as_map() else {
        d.type_mismatch(node, "a mount (a map such as `cache: /root/.cache`)");
        return None;
    };
    let kinds: Vec<(&'static str, &Node)> = entries
        .iter()
        .filter_map(|(k, _)| match &k.kind {
            NodeKind::Str(s) => MOUNT_KINDS.iter().find(|m| **m == s).map(|m| (*m, k)),
            _ => None,
        })
        .collect();
    match kinds.as_slice() {
        [(kind, key)] => Some((kind, key.span)),
        [] => {
            // Only a string first key is named: a mount's kind is always its first word.
            let first = entries.first().and_then(|(k, _)| match &k.kind {
                NodeKind::Str(s) => Some((s.as_str(), k.span)),
                _ => None,
            });
            let owner = d.label_span(node);
            d.report(catalogue::mount_without_kind(
                &d.path(),
                first,
                owner,
                MOUNT_KINDS,
            ));
            None
        }
        [(first, _), (second, second_key), ..] => {
            d.report(catalogue::two_mount_kinds(first, second, second_key.span));
            None
        }
    }
}

fn cache_mount(d: &mut Decoder<'_>, node: &mut Node) -> Option<CacheMount> {
    let mut f = d.fields(
        node,
        "a cache mount",
        &[
            "cache", "id", "sharing", "from", "source", "readonly", "uid", "gid", "mode",
        ],
    )?;
    Some(CacheMount {
        cache: d.field(&mut f, "cache", Decoder::string)?,
        id: d.field(&mut f, "id", Decoder::string),
        sharing: d.field(&mut f, "sharing", |d, n| {
            d.choice(
                n,
                &[
                    ("shared", Sharing::Shared),
                    ("private", Sharing::Private),
                    ("locked", Sharing::Locked),
                ],
            )
        }),
        from: d.field(&mut f, "from", Decoder::string),
        source: d.field(&mut f, "source", Decoder::string),
        readonly: d.field(&mut f, "readonly", Decoder::bool),
        uid: d.field(&mut f, "uid", Decoder::unsigned),
        gid: d.field(&mut f, "gid", Decoder::unsigned),
        mode: d.field(&mut f, "mode", Decoder::text),
    })
}

fn secret_mount(d: &mut Decoder<'_>, node: &mut Node) -> Option<SecretMount> {
    let mut f = d.fields(
        node,
        "a secret mount",
        &["secret", "target", "env", "required"],
    )?;
    Some(SecretMount {
        secret: d.field(&mut f, "secret", Decoder::string)?,
        target: d.field(&mut f, "target", Decoder::string),
        env: d.field(&mut f, "env", Decoder::string),
        required: d.field(&mut f, "required", Decoder::bool),
    })
}

fn ssh_mount(d: &mut Decoder<'_>, node: &mut Node) -> Option<SshMount> {
    let mut f = d.fields(node, "an ssh mount", &["ssh", "target", "required"])?;
    Some(SshMount {
        ssh: d.field(&mut f, "ssh", Decoder::string)?,
        target: d.field(&mut f, "target", Decoder::string),
        required: d.field(&mut f, "required", Decoder::bool),
    })
}

fn tmpfs_mount(d: &mut Decoder<'_>, node: &mut Node) -> Option<TmpfsMount> {
    let mut f = d.fields(node, "a tmpfs mount", &["tmpfs", "size"])?;
    Some(TmpfsMount {
        tmpfs: d.field(&mut f, "tmpfs", Decoder::string)?,
        size: d.field(&mut f, "size", Decoder::unsigned),
    })
}

fn bind_mount(d: &mut Decoder<'_>, node: &mut Node) -> Option<BindMount> {
    let mut f = d.fields(
        node,
        "a bind mount",
        &["bind", "from", "context", "source", "readonly"],
    )?;
    Some(BindMount {
        bind: d.field(&mut f, "bind", Decoder::string)?,
        from: d.field(&mut f, "from", Decoder::string),
        context: d.field(&mut f, "context", Decoder::string),
        source: d.field(&mut f, "source", Decoder::string),
        readonly: d.field(&mut f, "readonly", Decoder::bool),
    })
}
