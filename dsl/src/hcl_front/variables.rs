//! `variable` blocks, as in bake: `default`, `type`, `description` and `validation`; values
//! from `--var`/`build-arg:` first, then (only when asked for) the environment, then the
//! default. Defaults may use other variables and functions. Variables whose value is a
//! string, number or bool are the file's args, so a YAML twin's `args:` match them.

use super::HclOptions;
use super::eval::{Evaluator, Locals, describe, scalar_text, span_of, value_node};
use super::types::{self, Type};
use crate::diagnostic::catalogue;
use crate::node::{Node, NodeKind};
use crate::span::Span;
use hcl::Value;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block};
use std::collections::BTreeMap;

/// How a value given as text (`--var`, environment) is read when the variable has no
/// `type`: by the kind of its default.
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
    /// The variable's label (or the top-level attribute's name).
    span: Span,
    default: Option<&'b Expression>,
    ty: Option<Type>,
    description: Option<Node>,
    validations: Vec<&'b Block>,
    /// A top-level attribute (`FOO = "abc"`) with no variable block: bake takes no value for
    /// it from outside.
    attribute_only: bool,
}

const KEYS: &[&str] = &["default", "type", "description", "validation"];

/// The file's variables, and its top-level attributes, which bake treats as variables: an
/// attribute replaces the default of the variable of its name (a later file's attribute
/// overrides an earlier file's variable), and without one it is a value of its own.
pub fn load(
    ev: &mut Evaluator,
    blocks: &[&Block],
    attributes: &[&Attribute],
    options: &HclOptions,
) -> Vec<(Node, Node)> {
    let mut decls: Vec<Decl<'_>> = Vec::new();
    for block in blocks {
        let Some(decl) = declaration(ev, block) else {
            continue;
        };
        // A variable declared again (in a later file) replaces what it says.
        match decls.iter_mut().find(|d| d.name == decl.name) {
            Some(earlier) => merge_declaration(earlier, decl),
            None => decls.push(decl),
        }
    }
    for attr in attributes {
        let name = attr.key.as_str();
        match decls.iter_mut().find(|d| d.name == name) {
            Some(decl) => decl.default = Some(&attr.value),
            None => decls.push(Decl {
                name: name.to_string(),
                span: span_of(&attr.key),
                default: Some(&attr.value),
                ty: None,
                description: None,
                validations: Vec::new(),
                attribute_only: true,
            }),
        }
    }
    let (mut values, pending) = given_values(ev, &decls, options);
    for (name, value) in &values {
        ev.declare(name, value.clone());
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

fn merge_declaration<'b>(earlier: &mut Decl<'b>, later: Decl<'b>) {
    earlier.default = later.default.or(earlier.default);
    earlier.ty = later.ty.or(earlier.ty.take());
    earlier.description = later.description.or(earlier.description.take());
    earlier.validations.extend(later.validations);
}

/// The text given for a variable from outside, and how to read it.
enum Given<'o> {
    Var(&'o str),
    Env(&'o str),
    /// `NAME_JSON` in the environment, for a typed variable.
    Json(&'o str),
}

fn given<'o>(decl: &Decl<'_>, decls: &[Decl<'_>], options: &'o HclOptions) -> Option<Given<'o>> {
    if decl.attribute_only {
        return None;
    }
    if let Some(text) = options.vars.get(&decl.name) {
        return Some(Given::Var(text));
    }
    let env = options.env.as_ref()?;
    let json_name = format!("{}_JSON", decl.name);
    // As in bake: NAME_JSON is NAME's JSON form only for a typed NAME, and not when a
    // variable of that name is declared (then it is that variable's own value).
    if decl.ty.is_some()
        && !decls.iter().any(|d| d.name == json_name)
        && let Some(text) = env.get(&json_name)
    {
        return Some(Given::Json(text));
    }
    env.get(&decl.name).map(|text| Given::Env(text))
}

fn read_given(decl: &Decl<'_>, given: &Given<'_>) -> Result<Value, String> {
    match (&decl.ty, given) {
        (Some(ty), Given::Json(text)) => types::from_json(text, ty),
        // `--var` also takes JSON for a list or a map, as kiln always did.
        (Some(ty), Given::Var(text))
            if matches!(
                ty,
                Type::List(_) | Type::Set(_) | Type::Map(_) | Type::Tuple(_) | Type::Object(_)
            ) && (text.starts_with('[') || text.starts_with('{')) =>
        {
            types::from_json(text, ty)
        }
        (Some(ty), Given::Var(text) | Given::Env(text)) => types::from_text(text, ty),
        (None, Given::Var(text) | Given::Env(text) | Given::Json(text)) => {
            coerce(text, decl.default.map_or(Kind::String, literal_kind))
        }
    }
}

/// The values known before any default is evaluated: those given from outside (read as the
/// variable's type), null for a typed variable without a default and the empty string for
/// an untyped one, as in bake. Returns them with the declarations whose defaults are still
/// to be evaluated.
fn given_values<'d, 'b>(
    ev: &mut Evaluator,
    decls: &'d [Decl<'b>],
    options: &HclOptions,
) -> (BTreeMap<String, Value>, Vec<&'d Decl<'b>>) {
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    let mut pending = Vec::new();
    for decl in decls {
        match (given(decl, decls, options), decl.default) {
            (Some(given), _) => match read_given(decl, &given) {
                Ok(value) => {
                    values.insert(decl.name.clone(), value);
                }
                Err(why) => {
                    ev.report(catalogue::invalid_variable_value(
                        &decl.name, &why, decl.span,
                    ));
                }
            },
            (None, Some(_)) => pending.push(decl),
            (None, None) if decl.ty.is_some() => {
                values.insert(decl.name.clone(), Value::Null);
            }
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
    let span = d.span;
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
    let label = block.labels.first()?;
    let mut decl = Decl {
        name: label.as_str().to_string(),
        span: span_of(label),
        default: None,
        ty: None,
        description: None,
        validations: Vec::new(),
        attribute_only: false,
    };
    for attr in block.body.attributes() {
        match attr.key.as_str() {
            "default" => decl.default = Some(&attr.value),
            "type" => {
                decl.ty = types::parse(&attr.value);
                if decl.ty.is_none() {
                    ev.report(catalogue::not_a_type(span_of(&attr.value)));
                }
            }
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

fn unknown(ev: &mut Evaluator, name: &str, span: Span) {
    ev.report(catalogue::unknown_hcl_key(
        name,
        "in a variable",
        span,
        KEYS,
    ));
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
        Kind::Number => types::from_text(text, &Type::Number),
        Kind::Bool => types::from_text(text, &Type::Bool),
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
    // Values that use `target.NAME.FIELD` (or another such value) wait for the targets.
    let mut deferred: Vec<&Decl<'_>> = Vec::new();
    loop {
        let waiting: Vec<String> = pending
            .iter()
            .chain(&deferred)
            .map(|d| d.name.clone())
            .collect();
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
                .then(|| super::guard::evaluate(&expr, &ev.ctx));
            match outcome {
                Some(Ok(value)) if super::functions::check_size(&value).is_ok() => {
                    let value = typed_default(ev, decl, value);
                    ev.declare(&decl.name, value.clone());
                    values.insert(decl.name.clone(), value);
                }
                Some(Err(e)) if waits_for(&e, &["target".to_string()], "") => deferred.push(decl),
                Some(Err(e)) if waits_for(&e, &waiting, &decl.name) => still.push(decl),
                _ => {
                    // Report with the evaluator's wording and span.
                    ev.value(default, &Locals::default());
                    values.insert(decl.name.clone(), Value::from(""));
                    ev.declare(&decl.name, Value::from(""));
                }
            }
        }
        if still.is_empty() {
            break;
        }
        if still.len() == before {
            let (later, cycle): (Vec<_>, Vec<_>) =
                still.into_iter().partition(|d| uses_any(d, &deferred));
            deferred.extend(later);
            for decl in cycle {
                let span = decl.default.map_or(decl.span, span_of);
                ev.report(catalogue::default_depends_on_itself(&decl.name, span));
                values.insert(decl.name.clone(), Value::from(""));
                ev.declare(&decl.name, Value::from(""));
            }
            break;
        }
        pending = still;
    }
    ev.deferred = deferred
        .iter()
        .filter_map(|d| Some((d.name.clone(), d.default?.clone())))
        .collect();
}

/// The default of `decl` reads one of `names`' values.
fn uses_any(decl: &Decl<'_>, names: &[&Decl<'_>]) -> bool {
    let mut refs = std::collections::BTreeSet::new();
    if let Some(default) = decl.default {
        super::eval::collect_refs(default, &mut refs);
    }
    names.iter().any(|d| refs.contains(&d.name))
}

/// The evaluation failed for a variable not evaluated yet (not `own`): directly, or inside
/// a function of the file, whose error names the variable in hcl-rs's words.
fn waits_for(e: &hcl::eval::Error, waiting: &[String], own: &str) -> bool {
    if let hcl::eval::ErrorKind::UndefinedVar(name) = e.kind() {
        return name.as_str() != own && waiting.iter().any(|w| w == name.as_str());
    }
    let text = e.to_string();
    waiting
        .iter()
        .any(|w| w != own && text.contains(&format!("undefined variable `{w}`")))
}

/// A default converted to the variable's declared type; one that is not of it is an error at
/// the default (and the variable is null).
fn typed_default(ev: &mut Evaluator, decl: &Decl<'_>, value: Value) -> Value {
    let Some(ty) = &decl.ty else {
        return value;
    };
    match types::convert(&value, ty) {
        Ok(value) => value,
        Err(why) => {
            let span = decl.default.map_or(decl.span, span_of);
            ev.report(catalogue::default_wrong_type(&decl.name, &why, span));
            Value::Null
        }
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
