//! `variable` blocks, as in bake: `default`, `type`, `description` and `validation`; values
//! from `--var`/`build-arg:` first, then (only when asked for) the environment, then the
//! default. Defaults may use other variables and functions. Variables whose value is a
//! string, number or bool are the file's args, so a YAML twin's `args:` match them.

use super::HclOptions;
use super::eval::{Evaluator, Locals, describe, scalar_text, span_of, value_node};
use crate::diagnostic::catalogue;
use crate::node::{Node, NodeKind};
use hcl::Value;
use hcl::eval::Evaluate;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use std::collections::BTreeMap;

/// How a value given as text (`--var`, environment) is read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    String,
    Number,
    Bool,
    /// Lists, maps and objects: JSON.
    Json,
}

struct Decl<'b> {
    name: String,
    block: &'b Block,
    default: Option<&'b Expression>,
    kind: Option<Kind>,
    description: Option<Node>,
    validations: Vec<&'b Block>,
}

const KEYS: &[&str] = &["default", "type", "description", "validation"];

pub fn load(ev: &mut Evaluator, blocks: &[&Block], options: &HclOptions) -> Vec<(Node, Node)> {
    let decls: Vec<Decl<'_>> = blocks.iter().filter_map(|b| declaration(ev, b)).collect();
    let (mut values, pending) = given_values(ev, &decls, options);
    for (name, value) in &values {
        ev.ctx.declare_var(name.as_str(), value.clone());
    }
    evaluate_defaults(ev, pending, &mut values);
    let is_arg = |d: &Decl<'_>| {
        values
            .get(&d.name)
            .is_some_and(|v| scalar_text(v).is_some())
    };
    ev.hcl_values = decls
        .iter()
        .filter(|d| !is_arg(d))
        .map(|d| d.name.clone())
        .collect();
    // A variable used only by its own validation is still unused.
    let refs = ev.evaluated_refs.clone();
    for decl in &decls {
        validate(ev, decl);
    }
    ev.evaluated_refs = refs;
    decls
        .iter()
        .filter(|d| is_arg(d))
        .map(|d| arg_entry(d, &values[&d.name]))
        .collect()
}

/// The values known before any default is evaluated: those given from outside (coerced to
/// the variable's type) and the empty string of a variable without a default. Returns them
/// with the declarations whose defaults are still to be evaluated.
fn given_values<'d, 'b>(
    ev: &mut Evaluator,
    decls: &'d [Decl<'b>],
    options: &HclOptions,
) -> (BTreeMap<String, Value>, Vec<&'d Decl<'b>>) {
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    let mut pending = Vec::new();
    for decl in decls {
        let given = options
            .vars
            .get(&decl.name)
            .or_else(|| options.env.as_ref().and_then(|env| env.get(&decl.name)));
        match (given, decl.default) {
            (Some(text), _) => {
                let kind = decl
                    .kind
                    .or_else(|| decl.default.map(literal_kind))
                    .unwrap_or(Kind::String);
                match coerce(text, kind) {
                    Ok(value) => {
                        values.insert(decl.name.clone(), value);
                    }
                    Err(why) => {
                        let span = span_of(&decl.block.labels[0]);
                        ev.report(catalogue::invalid_variable_value(&decl.name, &why, span));
                    }
                }
            }
            (None, Some(_)) => pending.push(decl),
            // bake: a variable without a default is an empty string.
            (None, None) => {
                values.insert(decl.name.clone(), Value::from(""));
            }
        }
    }
    (values, pending)
}

/// A variable with a scalar value as the decoder's `args` entry: its name mapped to
/// `default` (and `description`), pointing at the variable's label.
fn arg_entry(d: &Decl<'_>, value: &Value) -> (Node, Node) {
    let label = &d.block.labels[0];
    let span = span_of(label);
    let key = |text: &str| Node {
        kind: NodeKind::Str(text.into()),
        span,
    };
    let mut entries = vec![(
        key("default"),
        value_node(value, d.default.map_or(span, span_of)),
    )];
    if let Some(description) = &d.description {
        entries.push((key("description"), description.clone()));
    }
    (
        key(&d.name),
        Node {
            kind: NodeKind::Map(entries),
            span,
        },
    )
}

fn declaration<'b>(ev: &mut Evaluator, block: &'b Block) -> Option<Decl<'b>> {
    let mut decl = Decl {
        name: block.labels.first()?.as_str().to_string(),
        block,
        default: None,
        kind: None,
        description: None,
        validations: Vec::new(),
    };
    for attr in block.body.attributes() {
        match attr.key.as_str() {
            "default" => decl.default = Some(&attr.value),
            "type" => decl.kind = type_kind(ev, &attr.value),
            "description" => decl.description = ev.node(&attr.value, &Locals::default()),
            other => unknown(ev, other, span_of(&attr.key)),
        }
    }
    for inner in block.body.blocks() {
        match inner.ident.as_str() {
            "validation" => decl.validations.push(inner),
            other => unknown(ev, other, span_of(&inner.ident)),
        }
    }
    Some(decl)
}

fn unknown(ev: &mut Evaluator, name: &str, span: crate::Span) {
    ev.report(catalogue::unknown_hcl_key(
        name,
        "in a variable",
        span,
        KEYS,
    ));
}

/// `type = string | number | bool | any | list(...) | map(...) | ...`.
fn type_kind(ev: &mut Evaluator, expr: &Expression) -> Option<Kind> {
    let name = match expr {
        Expression::Variable(v) => v.as_str().to_string(),
        Expression::FuncCall(call) => call.name.name.as_str().to_string(),
        _ => String::new(),
    };
    match name.as_str() {
        "string" | "any" => Some(Kind::String),
        "number" => Some(Kind::Number),
        "bool" => Some(Kind::Bool),
        "list" | "set" | "map" | "object" | "tuple" => Some(Kind::Json),
        _ => {
            ev.report(catalogue::not_a_type(span_of(expr)));
            None
        }
    }
}

/// The kind a default written as a literal implies, for values given as text.
fn literal_kind(expr: &Expression) -> Kind {
    match expr {
        Expression::Number(_) => Kind::Number,
        Expression::Bool(_) => Kind::Bool,
        Expression::Array(_) | Expression::Object(_) => Kind::Json,
        _ => Kind::String,
    }
}

fn coerce(text: &str, kind: Kind) -> Result<Value, String> {
    match kind {
        Kind::String => Ok(Value::from(text)),
        Kind::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(hcl::Number::from_f64)
            .map(|n| match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Value::from(f as i64),
                _ => Value::Number(n),
            })
            .ok_or_else(|| format!("`{text}` is not a number")),
        Kind::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("`{text}` is not true or false")),
        },
        Kind::Json => serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|v| hcl::to_value(v).map_err(|e| e.to_string())),
    }
}

/// Defaults may use other variables: evaluate those whose inputs are known, until none are
/// left; what remains depends on itself.
fn evaluate_defaults(
    ev: &mut Evaluator,
    mut pending: Vec<&Decl<'_>>,
    values: &mut BTreeMap<String, Value>,
) {
    loop {
        let waiting: Vec<String> = pending.iter().map(|d| d.name.clone()).collect();
        let before = pending.len();
        let mut still = Vec::new();
        for decl in pending {
            let Some(default) = decl.default else {
                continue;
            };
            super::eval::collect_refs(default, &mut ev.evaluated_refs);
            let expr = hcl::Expression::from(default.clone());
            // Nested `for` and oversized results are refused (and reported) by `ev.value`.
            let outcome = super::eval::nested_for(default)
                .is_none()
                .then(|| expr.evaluate(&ev.ctx));
            match outcome {
                Some(Ok(value)) if super::functions::check_size(&value).is_ok() => {
                    ev.ctx.declare_var(decl.name.as_str(), value.clone());
                    values.insert(decl.name.clone(), value);
                }
                Some(Err(e)) if matches!(e.kind(), hcl::eval::ErrorKind::UndefinedVar(n) if waiting.contains(&n.to_string()) && n.as_str() != decl.name) =>
                {
                    still.push(decl);
                }
                _ => {
                    // Report with the evaluator's wording and span.
                    ev.value(default, &Locals::default());
                    values.insert(decl.name.clone(), Value::from(""));
                    ev.ctx.declare_var(decl.name.as_str(), Value::from(""));
                }
            }
        }
        if still.is_empty() {
            return;
        }
        if still.len() == before {
            for decl in still {
                let span = decl.default.map_or(span_of(&decl.block.labels[0]), span_of);
                ev.report(catalogue::default_depends_on_itself(&decl.name, span));
                values.insert(decl.name.clone(), Value::from(""));
                ev.ctx.declare_var(decl.name.as_str(), Value::from(""));
            }
            return;
        }
        pending = still;
    }
}

/// `validation { condition = ..., error_message = "..." }`: a false condition is an error.
fn validate(ev: &mut Evaluator, decl: &Decl<'_>) {
    for block in &decl.validations {
        let Some(condition) = block.body.get_attribute("condition") else {
            let span = span_of(&block.ident);
            let example = "<bool expression>";
            ev.report(catalogue::block_without_attribute(
                "validation",
                "condition",
                example,
                span,
            ));
            continue;
        };
        match ev.value(&condition.value, &Locals::default()) {
            Some(Value::Bool(true)) | None => {}
            Some(Value::Bool(false)) => {
                let message = block
                    .body
                    .get_attribute("error_message")
                    .and_then(|m| ev.value(&m.value, &Locals::default()))
                    .and_then(|m| scalar_text(&m))
                    .unwrap_or_else(|| format!("variable `{}` is not valid", decl.name));
                let span = span_of(&condition.value);
                ev.report(catalogue::validation_failed(message, &decl.name, span));
            }
            Some(other) => {
                let what = describe(&other);
                ev.report(catalogue::condition_not_bool(
                    what,
                    span_of(&condition.value),
                ));
            }
        }
    }
}
