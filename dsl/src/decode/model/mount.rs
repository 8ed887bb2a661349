//! Decoding of a `run` step's mounts.

use crate::decode::Decoder;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::Sp;
use crate::suggest;

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
            let first = entries.first().and_then(|(k, _)| match &k.kind {
                NodeKind::Str(s) => Some((s.clone(), k.span)),
                _ => None,
            });
            let message = format!("this mount at {} does not say its kind", d.path());
            let diagnostic = match first {
                Some((key, span)) => Diagnostic::error(Code::UnknownKey, message)
                    .with_label(span, format!("`{key}` is not a mount kind"))
                    .with_help(suggest::help_for(&key, MOUNT_KINDS)),
                None => Diagnostic::error(Code::UnknownKey, message)
                    .with_label(d.label_span(node), "empty mount")
                    .with_help(format!(
                        "a mount is a map with one of {}",
                        suggest::quoted_list(MOUNT_KINDS)
                    )),
            };
            d.report(diagnostic);
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
    let span = kind_key.span;
    let mount = match kind {
        "cache" => {
            let f = d.fields(node, "a cache mount", &["cache", "id", "sharing"])?;
            Mount::Cache(CacheMount {
                cache: d.field(&f, "cache", |d, n| d.string(n))?,
                id: d.field(&f, "id", |d, n| d.string(n)),
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
        "secret" => {
            let f = d.fields(
                node,
                "a secret mount",
                &["secret", "target", "env", "required"],
            )?;
            Mount::Secret(SecretMount {
                secret: d.field(&f, "secret", |d, n| d.string(n))?,
                target: d.field(&f, "target", |d, n| d.string(n)),
                env: d.field(&f, "env", |d, n| d.string(n)),
                required: d.field(&f, "required", |d, n| d.bool(n)),
            })
        }
        "ssh" => {
            let f = d.fields(node, "an ssh mount", &["ssh", "target", "required"])?;
            Mount::Ssh(SshMount {
                ssh: d.field(&f, "ssh", |d, n| d.string(n))?,
                target: d.field(&f, "target", |d, n| d.string(n)),
                required: d.field(&f, "required", |d, n| d.bool(n)),
            })
        }
        "tmpfs" => {
            let f = d.fields(node, "a tmpfs mount", &["tmpfs", "size"])?;
            Mount::Tmpfs(TmpfsMount {
                tmpfs: d.field(&f, "tmpfs", |d, n| d.string(n))?,
                size: d.field(&f, "size", |d, n| d.unsigned(n)),
            })
        }
        "bind" => {
            let f = d.fields(
                node,
                "a bind mount",
                &["bind", "from", "context", "source", "readonly"],
            )?;
            Mount::Bind(BindMount {
                bind: d.field(&f, "bind", |d, n| d.string(n))?,
                from: d.field(&f, "from", |d, n| d.string(n)),
                context: d.field(&f, "context", |d, n| d.string(n)),
                source: d.field(&f, "source", |d, n| d.string(n)),
                readonly: d.field(&f, "readonly", |d, n| d.bool(n)),
            })
        }
        _ => unreachable!("kind is one of MOUNT_KINDS"),
    };
    Some(Sp::new(mount, span))
}
