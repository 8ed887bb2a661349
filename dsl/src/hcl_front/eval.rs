//! Expressions to spanned nodes. The one interpolation rule shared with YAML: `${NAME}`
//! alone (NAME not a local such as a matrix value) stays as written, for kiln to expand when
//! the file is lowered, exactly as in a YAML file; every other expression is evaluated here,
//! with the variables' values, and its result is escaped so kiln takes it literally.

use crate::diagnostic::{Diagnostic, catalogue};
use crate::node::{Node, NodeKind};
use crate::span::Span;
use hcl::Value;
use hcl::eval::Context;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::template::{Element, Strip};

/// The byte span of anything hcl-edit parsed (empty at 0 if it has none).
pub fn span_of(item: &impl hcl_edit::Span) -> Span {
    item.span()
        .map_or(Span::new(0, 0), |r| Span::new(r.start, r.len()))
}

/// The platform args: always kiln's to expand, known only per platform at build time.
const BUILD_TIME: &[&str] = crate::platform::PLATFORM_ARGS;

/// Values evaluated here may contain `${`; kiln must take them literally.
pub fn escape(text: &str) -> String {
    text.replace("${", "$${")
}

pub struct Evaluator {
    /// Variables (all of them, by value), built-in and user functions.
    pub ctx: Context<'static>,
    /// Variables whose value is a list or an object: values for expressions only. Every
    /// other name in `${NAME}` (string, number and bool variables, which are kiln args;
    /// platform args; a stage's env) stays for kiln to expand, so `--build-arg` reaches it.
    pub hcl_values: std::collections::BTreeSet<String>,
    /// Names used by expressions evaluated here (their values are baked into the model).
    pub evaluated_refs: std::collections::BTreeSet<String>,
    /// Names left as `${NAME}` for kiln.
    pub kiln_refs: std::collections::BTreeSet<String>,
    /// The variables' values (the same as in `ctx`, which cannot be read back).
    pub values: std::collections::BTreeMap<String, Value>,
    /// Variables (top-level values) whose defaults use `target.NAME.FIELD`: evaluated with
    /// the targets' attributes (`target_refs`).
    pub deferred: Vec<(String, Expression)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Collects the variable names an expression reads.
struct Refs<'a>(&'a mut std::collections::BTreeSet<String>);

impl hcl_edit::visit::Visit for Refs<'_> {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Expression::Variable(v) = expr {
            self.0.insert(v.as_str().to_string());
        }
        hcl_edit::visit::visit_expr(self, expr);
    }
}

/// Finds a `for` expression inside another one: refused, as the product of two lists can be
/// huge.
#[derive(Default)]
struct NestedFor {
    depth: usize,
    found: Option<Span>,
}

impl hcl_edit::visit::Visit for NestedFor {
    fn visit_for_expr(&mut self, node: &hcl_edit::expr::ForExpr) {
        if self.depth > 0 && self.found.is_none() {
            self.found = Some(span_of(node));
        }
        self.depth += 1;
        hcl_edit::visit::visit_for_expr(self, node);
        self.depth -= 1;
    }
}

/// The span of a `for` expression nested in another, if `expr` has one.
pub fn nested_for(expr: &Expression) -> Option<Span> {
    use hcl_edit::visit::Visit;
    let mut finder = NestedFor::default();
    finder.visit_expr(expr);
    finder.found
}

/// Record the variables `expr` reads into `refs`.
pub fn collect_refs(expr: &Expression, refs: &mut std::collections::BTreeSet<String>) {
    use hcl_edit::visit::Visit;
    Refs(refs).visit_expr(expr);
}

/// Local names (matrix values, ...) and their values, on top of the file's variables.
#[derive(Clone, Default)]
pub struct Locals(pub Vec<(String, Value)>);

impl Locals {
    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

impl Evaluator {
    pub fn new() -> Self {
        let mut ctx = Context::new();
        super::functions::declare_builtins(&mut ctx);
        Evaluator {
            ctx,
            hcl_values: Default::default(),
            evaluated_refs: Default::default(),
            kiln_refs: Default::default(),
            values: Default::default(),
            deferred: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// A variable's value, for expressions and for the file's functions, which see the
    /// file's variables (they are declared before the variables, whose defaults may call
    /// them).
    pub fn declare(&mut self, name: &str, value: Value) {
        super::user_functions::declare_in_scope(name, value.clone());
        self.values.insert(name.to_string(), value.clone());
        self.ctx.declare_var(name, value);
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Evaluate an expression to a value, reporting failure at its span.
    pub fn value(&mut self, expr: &Expression, locals: &Locals) -> Option<Value> {
        collect_refs(expr, &mut self.evaluated_refs);
        if let Some(span) = nested_for(expr) {
            self.report(catalogue::nested_for(span));
            return None;
        }
        let converted = hcl::Expression::from(expr.clone());
        let result = if locals.0.is_empty() {
            super::guard::evaluate(&converted, &self.ctx)
        } else {
            let mut ctx = self.ctx.clone();
            for (name, value) in &locals.0 {
                ctx.declare_var(name.as_str(), value.clone());
            }
            super::guard::evaluate(&converted, &ctx)
        };
        match result {
            Ok(v) => match super::functions::check_size(&v) {
                Ok(()) => Some(v),
                Err(why) => {
                    self.report(catalogue::value_too_big(&why, span_of(expr)));
                    None
                }
            },
            Err(e) => {
                self.eval_error(expr, &e, locals);
                None
            }
        }
    }

    fn eval_error(&mut self, expr: &Expression, e: &hcl::eval::Error, locals: &Locals) {
        let span = span_of(expr);
        // A misspelt name is most often one of the variables, or a matrix value, in scope.
        let near = |name: &str| {
            let names = (self.values.keys().map(String::as_str))
                .chain(locals.0.iter().map(|(n, _)| n.as_str()));
            crate::suggest::did_you_mean(name, names).map(str::to_string)
        };
        let diagnostic = match e.kind() {
            hcl::eval::ErrorKind::UndefinedVar(name) if BUILD_TIME.contains(&name.as_str()) => {
                catalogue::build_time_variable(name.as_str(), span)
            }
            hcl::eval::ErrorKind::UndefinedVar(name) => {
                catalogue::unknown_hcl_variable(name.as_str(), span, near(name.as_str()).as_deref())
            }
            hcl::eval::ErrorKind::UndefinedFunc(name) => {
                catalogue::unknown_function(&name.to_string(), span)
            }
            _ => catalogue::cannot_evaluate(e, span),
        };
        self.report(diagnostic);
    }

    /// An attribute value as a node (lists and objects written out keep each element's span).
    pub fn node(&mut self, expr: &Expression, locals: &Locals) -> Option<Node> {
        let span = span_of(expr);
        let kind = match expr {
            Expression::Null(_) => NodeKind::Null,
            Expression::Bool(b) => NodeKind::Bool(*b.value()),
            Expression::Number(n) => number_kind(n.value()),
            Expression::String(s) => NodeKind::Str(escape(s.value())),
            Expression::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    out.push(self.node(item, locals)?);
                }
                NodeKind::Seq(out)
            }
            Expression::Object(object) => {
                let mut out = Vec::new();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => Node {
                            kind: NodeKind::Str(ident.as_str().to_string()),
                            span: span_of(ident),
                        },
                        ObjectKey::Expression(e) => {
                            let text = self.template_text(e, locals)?;
                            Node {
                                kind: NodeKind::Str(text),
                                span: span_of(e),
                            }
                        }
                    };
                    out.push((key, self.node(value.expr(), locals)?));
                }
                NodeKind::Map(out)
            }
            // `"${EXPR}"` alone is EXPR's value, unconverted, as HCL has it (null stays null,
            // a list stays a list).
            Expression::StringTemplate(t) if t.len() == 1 => match t.iter().next() {
                Some(Element::Interpolation(i)) if i.strip == Strip::None => {
                    // The whole string is what diagnostics point at.
                    return self.node(&i.expr, locals).map(|n| Node { span, ..n });
                }
                _ => NodeKind::Str(self.template(&t.iter().collect::<Vec<_>>(), expr, locals)?),
            },
            Expression::StringTemplate(t) => {
                NodeKind::Str(self.template(&t.iter().collect::<Vec<_>>(), expr, locals)?)
            }
            Expression::HeredocTemplate(h) => NodeKind::Str(self.template(
                &h.template.iter().collect::<Vec<_>>(),
                expr,
                locals,
            )?),
            Expression::Parenthesis(p) => return self.node(p.inner(), locals),
            Expression::Variable(v) if !locals.has(v.as_str()) && self.is_kiln_name(v.as_str()) => {
                self.kiln_refs.insert(v.as_str().to_string());
                NodeKind::Str(format!("${{{}}}", v.as_str()))
            }
            _ => return Some(value_node(&self.value(expr, locals)?, span)),
        };
        Some(Node { kind, span })
    }

    /// `${NAME}` stays for kiln: declared args, and names the file does not declare (the
    /// platform args, env of the stage, ... which kiln's checks know about).
    fn is_kiln_name(&self, name: &str) -> bool {
        !self.hcl_values.contains(name)
    }

    /// An object key or other expression that must be text.
    fn template_text(&mut self, expr: &Expression, locals: &Locals) -> Option<String> {
        match self.node(expr, locals)?.kind {
            NodeKind::Str(s) => Some(s),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Bool(b) => Some(b.to_string()),
            _ => {
                self.report(catalogue::key_not_text(span_of(expr)));
                None
            }
        }
    }

    /// A string template, with the interpolation rule above. Templates with directives or
    /// whitespace stripping are evaluated as a whole.
    fn template(
        &mut self,
        elements: &[&Element],
        whole: &Expression,
        locals: &Locals,
    ) -> Option<String> {
        let simple = elements.iter().all(|e| match e {
            Element::Literal(_) => true,
            Element::Interpolation(i) => i.strip == Strip::None,
            Element::Directive(_) => false,
        });
        if !simple {
            return match self.value(whole, locals)? {
                Value::String(s) => Some(escape(&s)),
                other => Some(escape(&other.to_string())),
            };
        }
        let mut out = String::new();
        for element in elements {
            match *element {
                Element::Literal(text) => out.push_str(&escape(text.value())),
                Element::Interpolation(i) => match &i.expr {
                    Expression::Variable(v)
                        if !locals.has(v.as_str()) && self.is_kiln_name(v.as_str()) =>
                    {
                        self.kiln_refs.insert(v.as_str().to_string());
                        out.push_str(&format!("${{{}}}", v.as_str()));
                    }
                    expr => {
                        let value = self.value(expr, locals)?;
                        match scalar_text(&value) {
                            Some(text) => out.push_str(&escape(&text)),
                            None => {
                                let what = describe(&value);
                                self.report(catalogue::not_interpolatable(what, span_of(expr)));
                                return None;
                            }
                        }
                    }
                },
                Element::Directive(_) => {
                    unreachable!("templates with directives are evaluated whole")
                }
            }
        }
        Some(out)
    }
}

fn number_kind(n: &hcl::Number) -> NodeKind {
    match n.as_i64() {
        Some(i) => NodeKind::Int(i),
        None => NodeKind::Float(n.as_f64().unwrap_or_default()),
    }
}

pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An evaluated value as a node: every part gets the span of the expression it came from.
pub fn value_node(value: &Value, span: Span) -> Node {
    let kind = match value {
        Value::Null => NodeKind::Null,
        Value::Bool(b) => NodeKind::Bool(*b),
        Value::Number(n) => number_kind(n),
        Value::String(s) => NodeKind::Str(escape(s)),
        Value::Array(items) => NodeKind::Seq(items.iter().map(|v| value_node(v, span)).collect()),
        Value::Object(map) => NodeKind::Map(
            map.iter()
                .map(|(k, v)| {
                    let key = Node {
                        kind: NodeKind::Str(k.clone()),
                        span,
                    };
                    (key, value_node(v, span))
                })
                .collect(),
        ),
    };
    Node { kind, span }
}
