//! Targets as bake has them: `matrix` expands one block into several targets named by their
//! `name` template; `inherits` copies other targets' attributes first (in order, later
//! wins; `args` and `labels` merge key by key, other attributes, lists such as `tags` and
//! `cache-from` too, are replaced).

use super::eval::{Evaluator, Locals, scalar_text, span_of};
use super::{map_node, str_node};
use crate::diagnostic::catalogue;
use crate::node::{Node, NodeKind};
use crate::span::Span;
use hcl::Value;
use hcl_edit::structure::{Block, Body};
use std::collections::BTreeMap;

/// A matrix expands to at most this many targets.
pub const MAX_MATRIX: usize = 256;

/// Attributes that only say how to make targets; they are not target fields.
const META: &[&str] = &["matrix", "name", "inherits"];
/// Map attributes that `inherits` merges key by key.
const MERGED: &[&str] = &["args", "labels"];
/// Target attributes bake spells with a dash, and their model (YAML) names.
pub const DASHED: &[(&str, &str)] = &[("cache-from", "cache_from"), ("cache-to", "cache_to")];

type Entries = Vec<(Node, Node)>;
pub type BodyEntries<'a> = dyn Fn(&mut Evaluator, &Body, &Locals) -> Entries + 'a;

/// The targets one matrix block made: as in bake, the block's name is a group of them
/// (`kiln print svc`, or `svc` in a group's targets).
pub struct MatrixGroup {
    pub name: String,
    pub span: Span,
    pub targets: Vec<String>,
}

struct Expanded {
    name: String,
    /// Which `target` block made it.
    block: usize,
    span: Span,
    inherits: Vec<(String, Span)>,
    entries: Entries,
}

pub fn resolve(
    ev: &mut Evaluator,
    blocks: &[&Block],
    body_entries: &BodyEntries<'_>,
    options: &super::HclOptions,
) -> (Entries, Vec<MatrixGroup>) {
    let mut expanded = Vec::new();
    let mut groups: Vec<MatrixGroup> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let before = expanded.len();
        expand(ev, block, body_entries, &mut expanded);
        expanded[before..].iter_mut().for_each(|t| t.block = i);
        if block.body.has_attribute("matrix") {
            let label = &block.labels[0];
            let made = expanded[before..].iter().map(|t| t.name.clone());
            match groups.iter_mut().find(|g| g.name == label.as_str()) {
                Some(group) => group.targets.extend(made),
                None => groups.push(MatrixGroup {
                    name: label.as_str().to_string(),
                    span: span_of(label),
                    targets: made.collect(),
                }),
            }
        }
    }
    // A block whose targets include one of its own name is not also a group of that name;
    // a matrix that failed (reported) makes no group either.
    groups.retain(|g| !g.targets.is_empty() && !expanded.iter().any(|t| t.name == g.name));
    let mut expanded = merge_blocks(ev, expanded);
    if !options.overrides.is_empty() {
        let mut view: Vec<(&str, Span, &mut Entries)> = expanded
            .iter_mut()
            .map(|t| (t.name.as_str(), t.span, &mut t.entries))
            .collect();
        super::set::apply(ev, &mut view, &options.overrides, &options.override_env);
    }
    let mut resolved: BTreeMap<usize, Entries> = BTreeMap::new();
    for i in 0..expanded.len() {
        inherit(ev, &expanded, i, &mut Vec::new(), &mut resolved);
    }
    // A target others inherit from that names no stage, or whose name starts with `_`
    // (bake's `_common`), is a template: only the targets made from it are built.
    let parents: Vec<&str> = expanded
        .iter()
        .flat_map(|t| t.inherits.iter().map(|(p, _)| p.as_str()))
        .collect();
    let targets = expanded
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let entries = resolved.remove(&i).unwrap_or_default();
            let has_stage = entries.iter().any(|(k, _)| key_of(k) == Some("stage"));
            let template =
                (!has_stage || t.name.starts_with('_')) && parents.contains(&t.name.as_str());
            (!template).then(|| (str_node(&t.name, t.span), map_node(entries, t.span)))
        })
        .collect();
    (targets, groups)
}

/// Targets of the same name from different blocks (in one file or several) are one target,
/// as in bake: the later block's attributes override the earlier's (`args` and `labels` key
/// by key). Two of one name from one block (a matrix whose `name` repeats) are an error.
fn merge_blocks(ev: &mut Evaluator, expanded: Vec<Expanded>) -> Vec<Expanded> {
    let mut out: Vec<Expanded> = Vec::new();
    for target in expanded {
        let Some(earlier) = out.iter_mut().find(|t| t.name == target.name) else {
            out.push(target);
            continue;
        };
        if earlier.block == target.block {
            let diagnostic = catalogue::duplicate_target(&target.name, target.span, earlier.span);
            ev.report(diagnostic);
            continue;
        }
        if !target.inherits.is_empty() {
            earlier.inherits = target.inherits;
        }
        earlier.block = target.block;
        overlay(&mut earlier.entries, target.entries);
    }
    out
}

fn expand(
    ev: &mut Evaluator,
    block: &Block,
    body_entries: &BodyEntries<'_>,
    out: &mut Vec<Expanded>,
) {
    let label = &block.labels[0];
    let combinations = match block.body.get_attribute("matrix") {
        None => vec![Locals::default()],
        Some(matrix) => match combinations(ev, &matrix.value) {
            Some(c) => c,
            None => return,
        },
    };
    let name_attr = block.body.get_attribute("name");
    if let Some(attr) = name_attr
        && !block.body.has_attribute("matrix")
    {
        ev.report(catalogue::name_without_matrix(span_of(&attr.key)));
        return;
    }
    if block.body.has_attribute("matrix") && name_attr.is_none() {
        ev.report(catalogue::matrix_without_name(
            label.as_str(),
            span_of(label),
        ));
        return;
    }
    for locals in combinations {
        let (name, span) = match name_attr {
            Some(attr) => {
                let Some(value) = ev.value(&attr.value, &locals) else {
                    continue;
                };
                match scalar_text(&value) {
                    Some(name) => (name, span_of(&attr.value)),
                    None => {
                        ev.report(catalogue::target_name_not_text(span_of(&attr.value)));
                        continue;
                    }
                }
            }
            None => (label.as_str().to_string(), span_of(label)),
        };
        let inherits = match block.body.get_attribute("inherits") {
            None => Vec::new(),
            Some(attr) => match ev.value(&attr.value, &locals) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(scalar_text)
                    .map(|n| (n, span_of(&attr.value)))
                    .collect(),
                Some(_) => {
                    ev.report(catalogue::inherits_not_list(span_of(&attr.value)));
                    Vec::new()
                }
                None => Vec::new(),
            },
        };
        let entries = body_entries(ev, &block.body, &locals)
            .into_iter()
            .filter(|(k, _)| !matches!(&k.kind, NodeKind::Str(s) if META.contains(&s.as_str())))
            .filter_map(|(k, v)| model_key(ev, k).map(|k| (k, v)))
            .collect::<Entries>()
            .into_iter()
            .filter_map(|(k, v)| {
                let v = own_values(ev, &k, drop_nulls(&k, v));
                empty_output(ev, &k, v).map(|v| (k, v))
            })
            .collect();
        out.push(Expanded {
            name,
            block: 0,
            span,
            inherits,
            entries,
        });
    }
}

/// `args` and `labels` entries whose value is null are left out, as bake leaves them out
/// (`foo = FOO` with FOO null sets nothing, so a parent's value stays); so are empty `tags`,
/// for bake's idiom of a conditional tag (`cond ? "app:latest" : ""`).
fn drop_nulls(key: &Node, mut value: Node) -> Node {
    match (key_of(key), &mut value.kind) {
        (Some(name), NodeKind::Map(entries)) if MERGED.contains(&name) => {
            entries.retain(|(_, v)| !matches!(v.kind, NodeKind::Null));
        }
        (Some("tags"), NodeKind::Seq(items)) => items.retain(|v| match &v.kind {
            NodeKind::Null => false,
            NodeKind::Str(s) => !s.is_empty(),
            _ => true,
        }),
        (Some("cache_from" | "cache_to"), NodeKind::Seq(items)) => {
            *items = std::mem::take(items)
                .into_iter()
                .flat_map(cache_entries)
                .collect();
        }
        _ => {}
    }
    value
}

/// `args = { FOO = FOO }`: the arg takes the variable's value, as in bake. Left as `${FOO}`,
/// it would name itself (the target's FOO is `${FOO}`); the value is the same one kiln
/// would expand, and `--build-arg FOO=...` still wins over a target's args.
fn own_values(ev: &Evaluator, key: &Node, mut value: Node) -> Node {
    if key_of(key) != Some("args") {
        return value;
    }
    if let NodeKind::Map(entries) = &mut value.kind {
        for (name, v) in entries.iter_mut() {
            let (Some(name), NodeKind::Str(text)) = (key_of(name), &v.kind) else {
                continue;
            };
            if *text == format!("${{{name}}}")
                && let Some(own) = ev.values.get(name).and_then(scalar_text)
            {
                v.kind = NodeKind::Str(super::eval::escape(&own));
            }
        }
    }
    value
}

/// A cache entry as bake takes it: an object (`{ type = "registry", ref = "r/app:cache" }`)
/// is the CSV text it stands for, `type` first; a text of references alone
/// (`"r/a:cache,r/b:cache"`) is one entry per reference.
fn cache_entries(entry: Node) -> Vec<Node> {
    let span = entry.span;
    match entry.kind {
        NodeKind::Map(fields) => {
            let mut parts: Vec<(String, String)> = fields
                .iter()
                .filter_map(|(k, v)| Some((key_of(k)?.to_string(), scalar_of(v)?)))
                .collect();
            parts.sort_by_key(|(k, _)| k != "type");
            let csv: Vec<String> = parts
                .into_iter()
                .map(|(k, v)| {
                    let field = format!("{k}={v}");
                    if field.contains([',', '"']) {
                        format!("\"{}\"", field.replace('"', "\"\""))
                    } else {
                        field
                    }
                })
                .collect();
            vec![str_node(&csv.join(","), span)]
        }
        NodeKind::Str(text) if text.contains(',') && !text.contains('=') => {
            text.split(',').map(|r| str_node(r.trim(), span)).collect()
        }
        kind => vec![Node { kind, span }],
    }
}

fn scalar_of(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Str(s) => Some(s.clone()),
        NodeKind::Int(i) => Some(i.to_string()),
        NodeKind::Float(f) => Some(f.to_string()),
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `output = FOO`: an output kind is not an arg kiln expands later, so a variable there is
/// its value; an empty one (`""`, null) is no output, as bake drops an empty output.
fn empty_output(ev: &Evaluator, key: &Node, mut value: Node) -> Option<Node> {
    if key_of(key) != Some("output") {
        return Some(value);
    }
    if let NodeKind::Str(text) = &value.kind
        && let Some(name) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}'))
        && let Some(own) = ev.values.get(name).and_then(scalar_text)
    {
        value.kind = NodeKind::Str(super::eval::escape(&own));
    }
    match &value.kind {
        NodeKind::Null => None,
        NodeKind::Str(text) if text.is_empty() => None,
        _ => Some(value),
    }
}

/// A target attribute's key as the model names it (`cache-from` is `cache_from`). The
/// model's spelling is refused in HCL, so that a file means the same to kiln and to bake.
fn model_key(ev: &mut Evaluator, key: Node) -> Option<Node> {
    let NodeKind::Str(name) = &key.kind else {
        return Some(key);
    };
    if let Some((_, model)) = DASHED.iter().find(|(hcl, _)| hcl == name) {
        return Some(str_node(model, key.span));
    }
    if let Some((hcl, _)) = DASHED.iter().find(|(_, model)| model == name) {
        ev.report(catalogue::model_spelling_in_hcl(name, hcl, key.span));
        return None;
    }
    Some(key)
}

/// Every combination of the matrix values, the first key varying slowest.
fn combinations(ev: &mut Evaluator, expr: &hcl_edit::expr::Expression) -> Option<Vec<Locals>> {
    let span = span_of(expr);
    let Some(Value::Object(axes)) = ev.value(expr, &Locals::default()) else {
        ev.report(catalogue::matrix_not_object(span));
        return None;
    };
    let mut total: usize = 1;
    for (key, values) in &axes {
        let Value::Array(values) = values else {
            ev.report(catalogue::matrix_key_not_list(key, span));
            return None;
        };
        total = total.saturating_mul(values.len());
    }
    if total > MAX_MATRIX {
        ev.report(catalogue::matrix_too_large(total, MAX_MATRIX, span));
        return None;
    }
    let mut out = vec![Locals::default()];
    for (key, values) in &axes {
        let values = values.as_array().cloned().unwrap_or_default();
        out = out
            .into_iter()
            .flat_map(|locals| {
                values.iter().map(move |v| {
                    let mut next = locals.clone();
                    next.0.push((key.clone(), v.clone()));
                    next
                })
            })
            .collect();
    }
    Some(out)
}

/// A target's entries with its parents' merged in first.
fn inherit(
    ev: &mut Evaluator,
    targets: &[Expanded],
    i: usize,
    stack: &mut Vec<usize>,
    done: &mut BTreeMap<usize, Entries>,
) {
    if done.contains_key(&i) {
        return;
    }
    stack.push(i);
    let mut merged: Entries = Vec::new();
    for (parent, span) in &targets[i].inherits {
        let Some(p) = targets.iter().position(|t| &t.name == parent) else {
            let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
            let child = &targets[i].name;
            ev.report(catalogue::unknown_parent_target(
                child, parent, *span, &names,
            ));
            continue;
        };
        if stack.contains(&p) {
            let child = &targets[i].name;
            let diagnostic = catalogue::inherits_cycle(child, parent, *span, targets[p].span);
            ev.report(diagnostic);
            continue;
        }
        inherit(ev, targets, p, stack, done);
        overlay(&mut merged, done.get(&p).cloned().unwrap_or_default());
    }
    overlay(&mut merged, targets[i].entries.clone());
    stack.pop();
    done.insert(i, merged);
}

fn key_of(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Str(s) => Some(s),
        _ => None,
    }
}

fn overlay(base: &mut Entries, top: Entries) {
    for (key, value) in top {
        let name = key_of(&key).unwrap_or_default().to_string();
        match base
            .iter_mut()
            .find(|(k, _)| key_of(k) == Some(name.as_str()))
        {
            Some((_, existing)) if MERGED.contains(&name.as_str()) => {
                if let (NodeKind::Map(old), NodeKind::Map(new)) =
                    (&mut existing.kind, value.kind.clone())
                {
                    for (k, v) in new {
                        match old.iter_mut().find(|(ok, _)| key_of(ok) == key_of(&k)) {
                            Some(slot) => *slot = (k, v),
                            None => old.push((k, v)),
                        }
                    }
                } else {
                    *existing = value;
                }
            }
            Some(slot) => slot.1 = value,
            None => base.push((key, value)),
        }
    }
}
