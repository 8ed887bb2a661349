//! Decoding of steps: which kind a step is, `run` and its command, and the one-key steps.

use super::copy::{copy, download};
use super::mount::mount;
use super::packages::packages;
use crate::decode::Decoder;
use crate::diagnostic::catalogue;
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::Sp;

/// A step's kind is the one step-kind key it has; `run` takes `env`, `user` and `workdir`
/// as its own options.
pub(super) fn step(d: &mut Decoder<'_>, node: &mut Node) -> Option<Sp<Step>> {
    let (kind, span) = step_kind(d, node)?;
    let step = match kind {
        "run" => Step::Run(run_step(d, node)?),
        "copy" => Step::Copy(CopyStep {
            copy: single(d, node, "copy", copy)?,
        }),
        "download" => Step::Download(DownloadStep {
            download: single(d, node, "download", download)?,
        }),
        "env" => Step::Env(EnvStep {
            env: single(d, node, "env", Decoder::string_map)?,
        }),
        "workdir" => Step::Workdir(WorkdirStep {
            workdir: single(d, node, "workdir", Decoder::string)?,
        }),
        "user" => Step::User(UserStep {
            user: single(d, node, "user", Decoder::text)?,
        }),
        "mkdir" => Step::Mkdir(MkdirStep {
            mkdir: single(d, node, "mkdir", mkdir)?,
        }),
        "symlink" => Step::Symlink(SymlinkStep {
            symlink: single(d, node, "symlink", symlink)?,
        }),
        "packages" => Step::Packages(PackagesStep {
            packages: single(d, node, "packages", packages)?,
        }),
        _ => unreachable!("kind is one of STEP_KINDS"),
    };
    Some(Sp::new(step, span))
}

/// Which kind of step `node` is, and where to point at the step (its first key), or `None`
/// after reporting why it has no one kind.
fn step_kind(d: &mut Decoder<'_>, node: &Node) -> Option<(&'static str, crate::span::Span)> {
    let Some(entries) = node.as_map() else {
        d.type_mismatch(node, "a step (a map such as `run: make`)");
        return None;
    };
    let keys: Vec<(&str, &Node)> = entries
        .iter()
        .filter_map(|(k, _)| match &k.kind {
            NodeKind::Str(s) => Some((s.as_str(), k)),
            _ => None,
        })
        .collect();
    let span = keys.first().map_or(node.span, |(_, k)| k.span);
    if keys.iter().any(|(k, _)| *k == "run") {
        return Some(("run", span));
    }
    let kinds: Vec<(&'static str, &Node)> = keys
        .iter()
        .filter_map(|&(k, key)| {
            STEP_KINDS
                .iter()
                .find(|kind| **kind == k)
                .map(|kind| (*kind, key))
        })
        .collect();
    match kinds.as_slice() {
        [(only, _)] => Some((only, span)),
        [] => {
            let first = keys.first().map(|(key, node)| (*key, node.span));
            let owner = d.label_span(node);
            d.report(catalogue::step_without_kind(
                &d.path(),
                first,
                owner,
                STEP_KINDS,
            ));
            None
        }
        [(first, _), (second, second_key), ..] => {
            d.report(catalogue::two_step_kinds(first, second, second_key.span));
            None
        }
    }
}

/// Steps other than `run` have exactly one key: their kind.
pub(super) fn single<'a, T>(
    d: &mut Decoder<'a>,
    node: &mut Node,
    kind: &'static str,
    f: impl FnOnce(&mut Decoder<'a>, &mut Node) -> Option<T>,
) -> Option<T> {
    let mut fields = d.fields(node, &format!("a `{kind}` step"), &[kind])?;
    d.field(&mut fields, kind, f)
}

const RUN_KEYS: &[&str] = &[
    "run", "mounts", "network", "security", "env", "user", "workdir",
];

pub(super) fn run_step(d: &mut Decoder<'_>, node: &mut Node) -> Option<RunStep> {
    let mut f = d.fields(node, "a `run` step", RUN_KEYS)?;
    let run = d.field(&mut f, "run", command);
    Some(RunStep {
        mounts: d.field_or_default(&mut f, "mounts", |d, n| d.list(n, mount)),
        network: d.field(&mut f, "network", |d, n| {
            d.choice(
                n,
                &[
                    ("default", Network::Default),
                    ("none", Network::None),
                    ("host", Network::Host),
                ],
            )
        }),
        security: d.field(&mut f, "security", |d, n| {
            d.choice(
                n,
                &[
                    ("sandbox", Security::Sandbox),
                    ("insecure", Security::Insecure),
                ],
            )
        }),
        env: d.field_or_default(&mut f, "env", Decoder::string_map),
        user: d.field(&mut f, "user", Decoder::text),
        workdir: d.field(&mut f, "workdir", Decoder::string),
        run: run?,
    })
}

/// A shell string or an argv list.
pub(super) fn command(d: &mut Decoder<'_>, node: &mut Node) -> Option<Sp<Command>> {
    match &node.kind {
        NodeKind::Str(s) => Some(Sp::new(
            Command::Shell(Sp::new(s.clone(), node.span)),
            node.span,
        )),
        NodeKind::Seq(_) => {
            let argv = d.list(node, Decoder::text)?;
            if argv.is_empty() {
                d.report(catalogue::empty_command(&d.path(), node.span));
                return None;
            }
            Some(Sp::new(Command::Argv(argv), node.span))
        }
        _ => {
            d.type_mismatch(node, "a command (a shell string or a list of arguments)");
            None
        }
    }
}

pub(super) fn mkdir(d: &mut Decoder<'_>, node: &mut Node) -> Option<Mkdir> {
    if let NodeKind::Str(_) = node.kind {
        return Some(Mkdir {
            path: d.string(node)?,
            mode: None,
            chown: None,
        });
    }
    let mut f = d.fields(
        node,
        "a directory (a path, or a map with `path`)",
        &["path", "mode", "chown"],
    )?;
    let path = d.required(&mut f, "path", "mkdir", Decoder::string);
    Some(Mkdir {
        mode: d.field(&mut f, "mode", Decoder::text),
        chown: d.field(&mut f, "chown", Decoder::text),
        path: path?,
    })
}

pub(super) fn symlink(d: &mut Decoder<'_>, node: &mut Node) -> Option<Symlink> {
    let mut f = d.fields(
        node,
        "a symlink (a map with `target` and `path`)",
        &["target", "path"],
    )?;
    let target = d.required(&mut f, "target", "symlink", Decoder::string);
    let path = d.required(&mut f, "path", "symlink", Decoder::string);
    Some(Symlink {
        target: target?,
        path: path?,
    })
}
