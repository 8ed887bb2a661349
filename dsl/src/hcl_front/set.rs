//! `--set` overrides applied to an HCL file's targets before `inherits` (see `overrides`),
//! as nodes, so the model (and every check) sees the overridden values.

use super::eval::{Evaluator, escape};
use super::overrides::{Effect, Override, for_target};
use super::{map_node, str_node};
use crate::diagnostic::catalogue;
use crate::node::{Node, NodeKind};
use crate::span::Span;
use std::collections::BTreeMap;

type Entries = Vec<(Node, Node)>;

fn key_is(node: &Node, name: &str) -> bool {
    matches!(&node.kind, NodeKind::Str(s) if s == name)
}

/// Apply `overrides` to the targets (name, span, entries); a pattern that matches no target
/// is an error, as in bake. `env` gives `--set T.args.NAME` with no value.
pub fn apply(
    ev: &mut Evaluator,
    targets: &mut [(&str, Span, &mut Entries)],
    overrides: &[Override],
    env: &BTreeMap<String, String>,
) {
    for o in overrides {
        if !targets.iter().any(|(name, _, _)| o.matches(name)) {
            ev.report(catalogue::set_matches_no_target(&o.pattern));
        }
    }
    for (name, span, entries) in targets.iter_mut() {
        for effect in for_target(overrides, name) {
            match effect {
                Effect::List {
                    field,
                    items,
                    append,
                } => set_list(entries, field, &items, append, *span),
                Effect::Set(o) => set_one(entries, o, env, *span),
            }
        }
    }
}

fn set_list(entries: &mut Entries, field: &str, items: &[String], append: bool, span: Span) {
    let nodes: Vec<Node> = items.iter().map(|i| str_node(&escape(i), span)).collect();
    let at = entries.iter().position(|(k, _)| key_is(k, field));
    match (at, append) {
        (Some(i), true) => {
            if let NodeKind::Seq(existing) = &mut entries[i].1.kind {
                existing.extend(nodes);
            } else {
                entries[i].1 = seq(nodes, span);
            }
        }
        // `--set T.cache-to=` turns the list off.
        (Some(i), false) if nodes.is_empty() => {
            entries.remove(i);
        }
        (Some(i), false) => entries[i].1 = seq(nodes, span),
        (None, _) if nodes.is_empty() => {}
        (None, _) => entries.push((str_node(field, span), seq(nodes, span))),
    }
}

fn seq(items: Vec<Node>, span: Span) -> Node {
    Node {
        kind: NodeKind::Seq(items),
        span,
    }
}

fn set_one(entries: &mut Entries, o: &Override, env: &BTreeMap<String, String>, span: Span) {
    if let Some((map, key)) = o.field.split_once('.') {
        let value = match &o.value {
            Some(v) => Some(v.clone()),
            None => env.get(key).cloned(),
        };
        let at = entries.iter().position(|(k, _)| key_is(k, map));
        let i = at.unwrap_or_else(|| {
            entries.push((str_node(map, span), map_node(Vec::new(), span)));
            entries.len() - 1
        });
        if let NodeKind::Map(items) = &mut entries[i].1.kind {
            items.retain(|(k, _)| !key_is(k, key));
            if let Some(value) = value {
                items.push((str_node(key, span), str_node(&escape(&value), span)));
            }
        }
        return;
    }
    let value = o.value.clone().unwrap_or_default();
    entries.retain(|(k, _)| !key_is(k, &o.field));
    match o.field.as_str() {
        // An empty output is no output (the default), as `--set T.output=` is in bake.
        "output" if value.is_empty() => {}
        "output" => entries.push((str_node("output", span), output(&value, span))),
        field => entries.push((str_node(field, span), str_node(&escape(&value), span))),
    }
}

/// `type=local,dest=DIR`, or a bare kind (`image`): the decoder checks it.
fn output(text: &str, span: Span) -> Node {
    let entries = text
        .split(',')
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (str_node(k.trim(), span), str_node(&escape(v.trim()), span)),
            None => (str_node("type", span), str_node(part.trim(), span)),
        })
        .collect();
    map_node(entries, span)
}
