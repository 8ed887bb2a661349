//! `target.NAME.FIELD`: a target's attribute used in another (or its own) target, as in
//! bake (`cache-to = [target.app.cache-from[0]]`, `description = target.foo.name`). Bake
//! evaluates attributes lazily; here the `target` object is filled in rounds before the
//! targets are read: every attribute (every key of an object written out, such as `labels =
//! { ... }`) whose references are known is evaluated, until a round adds nothing. Fields a
//! target does not set are null. What is still unknown then (a cycle, a name that is no
//! target) is reported when the targets are read.

use super::eval::{Evaluator, Locals, collect_refs};
use hcl::Value;
use hcl::eval::Context;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Block;
use std::collections::BTreeMap;

/// The fields every target has, null when not set (bake's names).
const FIELDS: &[&str] = &[
    "stage",
    "description",
    "tags",
    "platforms",
    "args",
    "labels",
    "output",
    "cache-from",
    "cache-to",
    "inherits",
];
/// Rounds at most: a chain of references longer than this stays unresolved (and reported).
const MAX_ROUNDS: usize = 16;

struct Pending<'b> {
    /// The target whose attribute this is; empty for a top-level value (a variable) that
    /// uses `target.NAME.FIELD`.
    target: String,
    locals: Locals,
    key: String,
    /// For one key of an object written out: (key, value).
    sub: Option<String>,
    expr: &'b Expression,
}

/// Declare `target` in the evaluator when any target block uses it.
pub fn declare(ev: &mut Evaluator, blocks: &[&Block]) {
    let mut refs = std::collections::BTreeSet::new();
    for block in blocks {
        for attr in block.body.attributes() {
            collect_refs(&attr.value, &mut refs);
        }
    }
    let deferred = std::mem::take(&mut ev.deferred);
    if !refs.contains("target") && deferred.is_empty() {
        return;
    }
    let mut state: BTreeMap<String, hcl::Map<String, Value>> = BTreeMap::new();
    let mut pending = Vec::new();
    for block in blocks {
        for (name, locals) in instances(ev, block) {
            let fields = state.entry(name.clone()).or_default();
            fields.insert("name".into(), Value::from(name.as_str()));
            for field in FIELDS {
                if !block.body.has_attribute(field) {
                    fields.entry(field.to_string()).or_insert(Value::Null);
                }
            }
            for attr in block.body.attributes() {
                let key = attr.key.as_str();
                if matches!(key, "matrix" | "name") {
                    continue;
                }
                let item = |sub, expr| Pending {
                    target: name.clone(),
                    locals: locals.clone(),
                    key: key.to_string(),
                    sub,
                    expr,
                };
                match &attr.value {
                    Expression::Object(object) => {
                        fields.insert(key.to_string(), Value::Object(Default::default()));
                        for (k, v) in object.iter() {
                            if let ObjectKey::Ident(ident) = k {
                                pending.push(item(Some(ident.as_str().to_string()), v.expr()));
                            } else if let ObjectKey::Expression(Expression::String(s)) = k {
                                pending.push(item(Some(s.value().clone()), v.expr()));
                            }
                        }
                    }
                    expr => pending.push(item(None, expr)),
                }
            }
        }
    }
    for (name, expr) in &deferred {
        pending.push(Pending {
            target: String::new(),
            locals: Locals::default(),
            key: name.clone(),
            sub: None,
            expr,
        });
    }
    for _ in 0..MAX_ROUNDS {
        let before = pending.len();
        pending = round(ev, &mut state, pending);
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    let value = state
        .into_iter()
        .map(|(k, v)| (k, Value::Object(v)))
        .collect();
    ev.declare("target", Value::Object(value));
    // A top-level value still unknown: reported with the evaluator's words and place.
    for item in pending.iter().filter(|p| p.target.is_empty()) {
        ev.value(item.expr, &Locals::default());
        ev.declare(&item.key, Value::from(""));
    }
}

/// One round: evaluate what can be, with the `target` object as it is.
fn round<'b>(
    ev: &mut Evaluator,
    state: &mut BTreeMap<String, hcl::Map<String, Value>>,
    pending: Vec<Pending<'b>>,
) -> Vec<Pending<'b>> {
    let mut ctx = ev.ctx.clone();
    let snapshot = state
        .iter()
        .map(|(k, v)| (k.clone(), Value::Object(v.clone())));
    ctx.declare_var("target", Value::Object(snapshot.collect()));
    let mut still = Vec::new();
    for item in pending {
        let Some(value) = evaluate(&ctx, &item.locals, item.expr) else {
            still.push(item);
            continue;
        };
        if item.target.is_empty() {
            ev.declare(&item.key, value);
            continue;
        }
        let fields = state.entry(item.target.clone()).or_default();
        match &item.sub {
            None => {
                fields.insert(item.key.clone(), value);
            }
            Some(sub) => {
                if let Some(Value::Object(map)) = fields.get_mut(&item.key) {
                    map.insert(sub.clone(), value);
                }
            }
        }
    }
    still
}

fn evaluate(ctx: &Context<'static>, locals: &Locals, expr: &Expression) -> Option<Value> {
    let expr = hcl::Expression::from(expr.clone());
    if locals.0.is_empty() {
        return super::guard::evaluate(&expr, ctx).ok();
    }
    let mut ctx = ctx.clone();
    for (name, value) in &locals.0 {
        ctx.declare_var(name.as_str(), value.clone());
    }
    super::guard::evaluate(&expr, &ctx).ok()
}

/// The targets a block makes, by name, with their matrix values (errors are reported
/// when the targets are read, not here).
fn instances(ev: &Evaluator, block: &Block) -> Vec<(String, Locals)> {
    let label = block.labels[0].as_str().to_string();
    let Some(matrix) = block.body.get_attribute("matrix") else {
        return vec![(label, Locals::default())];
    };
    let Some(Value::Object(axes)) = evaluate(&ev.ctx, &Locals::default(), &matrix.value) else {
        return Vec::new();
    };
    let mut combinations = vec![Locals::default()];
    for (key, values) in &axes {
        let Value::Array(values) = values else {
            return Vec::new();
        };
        if combinations.len().saturating_mul(values.len()) > super::MAX_MATRIX {
            return Vec::new();
        }
        combinations = combinations
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
    let Some(name) = block.body.get_attribute("name") else {
        return Vec::new();
    };
    combinations
        .into_iter()
        .filter_map(|locals| {
            let value = evaluate(&ev.ctx, &locals, &name.value)?;
            super::eval::scalar_text(&value).map(|n| (n, locals))
        })
        .collect()
}
