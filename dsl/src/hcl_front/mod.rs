//! The HCL front end. hcl-edit parses the file with spans; variables, functions, `inherits`
//! and `matrix` are evaluated the way `docker buildx bake` does; the result is the same
//! spanned node tree the YAML front end builds, so one decoder and one set of checks serve
//! both syntaxes, and a YAML file and its HCL twin lower to the same LLB.
//!
//! ```hcl
//! variable "VERSION" { default = "1.0" }
//! stage "app" {
//!   from = "localhost:5000/busybox:1"
//!   run { cmd = "echo ${VERSION} > /v" }
//! }
//! target "app" { stage = "app" }
//! ```

pub(crate) mod bake_json;
mod eval;
mod functions;
mod groups;
mod guard;
pub mod merge;
mod nesting;
pub mod overrides;
mod set;
mod target_refs;
mod targets;
mod types;
mod user_functions;
mod variables;

use crate::diagnostic::{Diagnostic, catalogue};
use crate::node::{Node, NodeKind};
use crate::source::SourceFile;
use crate::span::Span;
use eval::{Evaluator, Locals, span_of};
use hcl_edit::structure::{Block, Body, Structure};
use std::collections::BTreeMap;

pub use targets::{DASHED, MAX_MATRIX};
pub use user_functions::{MAX_CALL_DEPTH, MAX_USER_FUNCTIONS};

/// Values for the file's variables, from outside the file.
#[derive(Clone, Debug, Default)]
pub struct HclOptions {
    /// `--var NAME=VALUE` (CLI) or `build-arg:NAME` (frontend): these win.
    pub vars: BTreeMap<String, String>,
    /// The environment, consulted for declared variables only when the user opts in
    /// (`--vars-from-env`): silent capture of the environment surprises people.
    pub env: Option<BTreeMap<String, String>>,
    /// `--set` overrides of targets (`kiln bake`), applied before `inherits`.
    pub overrides: Vec<overrides::Override>,
    /// Where `--set T.args.NAME` without a value finds NAME.
    pub override_env: BTreeMap<String, String>,
}

/// Brackets and templates nest at most this deep (see nesting.rs: the parser recurses on
/// them, and retries every level of an expression that does not parse).
pub const MAX_NESTING: usize = 12;

const TOP_LEVEL: &[&str] = &[
    "version", "variable", "function", "stage", "target", "group",
];

/// True when a file should be read as HCL: by its name, else by a first look at its text.
pub fn is_hcl(name: &str, text: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".hcl") {
        return true;
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
        return false;
    }
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
        .is_some_and(|l| {
            let word: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let rest = l[word.len()..].trim_start();
            (TOP_LEVEL.contains(&word.as_str()) && (rest.starts_with('"') || rest.starts_with('{')))
                || (word == "version" && rest.starts_with('='))
        })
}

/// A help line written for YAML, for an HCL file: `key: value` becomes `key = value`,
/// `key:` becomes `key = ...`, and a key HCL spells otherwise takes its HCL name
/// (`cache_from` is `cache-from`). (Checks are shared; their examples are written once.)
pub fn help_in_hcl(help: &str) -> String {
    let snippet = |code: &str| -> String {
        if let Some((hcl, _)) = targets::DASHED.iter().find(|(_, yaml)| *yaml == code) {
            return hcl.to_string();
        }
        let Some((key, value)) = code.split_once(':') else {
            return code.to_string();
        };
        let is_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        // A YAML mapping has a space (or nothing) after the colon; `localhost:5000` does not.
        if !is_key || !(value.is_empty() || value.starts_with(' ')) {
            return code.to_string();
        }
        match value.trim() {
            "" => format!("{key} = ..."),
            value => format!("{key} = {value}"),
        }
    };
    let help = help.replace(
        "YAML maps need unique keys",
        "names must be unique (two blocks with one name?)",
    );
    help.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                snippet(part)
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// Parse and evaluate an HCL build file into the node tree the decoder reads.
pub fn parse(file: &SourceFile, options: &HclOptions) -> (Option<Node>, Vec<Diagnostic>) {
    if let Some(too_deep) = nesting::nesting_limit(file) {
        return (None, vec![too_deep]);
    }
    let mut bodies = Vec::new();
    for range in file.parts().into_iter().map(|(_, range)| range) {
        match hcl_edit::parser::parse_body(&masked(&file.text, range)) {
            Ok(body) => bodies.push(body),
            Err(e) => return (None, vec![syntax_error(file, &e)]),
        }
    }
    let mut loader = Loader {
        ev: Evaluator::new(),
    };
    let root = loader.file(&bodies, options);
    user_functions::clear_user_functions();
    (Some(root), loader.ev.diagnostics)
}

/// One file of several read as one, parsed in place: the others' text blanked out (newlines
/// kept), so spans and parser positions point into the whole text.
fn masked(text: &str, keep: std::ops::Range<usize>) -> std::borrow::Cow<'_, str> {
    if keep == (0..text.len()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let blank = |part: &str| -> String {
        part.chars()
            .map(|c| {
                if c == '\n' { '\n' } else { ' ' }
                    .to_string()
                    .repeat(c.len_utf8())
            })
            .collect()
    };
    let (before, rest) = text.split_at(keep.start);
    let (kept, after) = rest.split_at(keep.end - keep.start);
    std::borrow::Cow::Owned(format!("{}{kept}{}", blank(before), blank(after)))
}

fn syntax_error(file: &SourceFile, e: &hcl_edit::parser::Error) -> Diagnostic {
    let location = e.location();
    let offset = file.offset_of(location.line(), location.column());
    catalogue::hcl_syntax(e.message(), Span::new(offset, 1))
}

fn str_node(text: &str, span: Span) -> Node {
    Node {
        kind: NodeKind::Str(text.to_string()),
        span,
    }
}

fn map_node(entries: Vec<(Node, Node)>, span: Span) -> Node {
    Node {
        kind: NodeKind::Map(entries),
        span,
    }
}

/// Nested blocks that several of may appear, and the list key they fill.
const LIST_BLOCKS: &[(&str, &str)] = &[("mount", "mounts"), ("repository", "repositories")];

/// Step blocks, and the attribute that holds the step's one value when the YAML step is
/// not a map (`run { cmd = ... }` is `run: ...`).
const STEP_BLOCKS: &[(&str, Option<&str>)] = &[
    ("run", Some("cmd")),
    ("copy", None),
    ("download", None),
    ("env", None),
    ("workdir", Some("path")),
    ("user", Some("name")),
    ("mkdir", None),
    ("symlink", None),
    ("packages", None),
];

struct Loader {
    ev: Evaluator,
}

impl Loader {
    fn file(&mut self, bodies: &[Body], options: &HclOptions) -> Node {
        let mut version = None;
        let mut blocks: BTreeMap<&str, Vec<&Block>> = BTreeMap::new();
        let mut attributes: Vec<&hcl_edit::structure::Attribute> = Vec::new();
        for structure in bodies.iter().flat_map(|body| body.iter()) {
            match structure {
                Structure::Attribute(attr) if attr.key.as_str() == "version" => {
                    let key = str_node("version", span_of(&attr.key));
                    version = self
                        .ev
                        .node(&attr.value, &Locals::default())
                        .map(|v| (key, v));
                }
                // bake's top-level attributes: values like variables (see `variables`).
                Structure::Attribute(attr) => {
                    attributes.retain(|a| a.key.as_str() != attr.key.as_str());
                    attributes.push(attr);
                }
                Structure::Block(block) => {
                    let kind = block.ident.as_str();
                    if !TOP_LEVEL[1..].contains(&kind) {
                        self.unknown(
                            kind,
                            span_of(&block.ident),
                            "at the top level of the file",
                            TOP_LEVEL,
                        );
                    } else if self.one_label(block) {
                        blocks.entry(kind).or_default().push(block);
                    }
                }
            }
        }
        let get = |kind: &str| blocks.get(kind).cloned().unwrap_or_default();
        // Functions first: variable defaults may call them, and they see the variables.
        self.functions(&get("function"));
        let args = variables::load(&mut self.ev, &get("variable"), &attributes, options);
        let mut root = Vec::new();
        root.extend(version);
        let section = |name: &str, blocks: &[&Block], entries: Vec<(Node, Node)>| {
            let span = blocks
                .first()
                .map_or(Span::default(), |b| span_of(&b.ident));
            (str_node(name, span), map_node(entries, span))
        };
        let stages: Vec<(Node, Node)> = get("stage")
            .iter()
            .map(|b| (label(b), self.stage(b)))
            .collect();
        let args_at = root.len();
        root.push(section("stages", &get("stage"), stages));
        let mut matrix_groups = Vec::new();
        target_refs::declare(&mut self.ev, &get("target"));
        if !get("target").is_empty() {
            let body_entries: &targets::BodyEntries<'_> =
                &|ev, body, locals| Loader::body_entries(ev, body, locals);
            let (targets, made) =
                targets::resolve(&mut self.ev, &get("target"), body_entries, options);
            matrix_groups = made;
            root.push(section("targets", &get("target"), targets));
        }
        let groups = groups::load(&mut self.ev, &get("group"), matrix_groups);
        if !groups.is_empty() {
            root.push(section("groups", &get("group"), groups));
        }
        // A variable used only inside evaluated expressions has its value baked into the
        // model: it is not an arg there (kiln would call it unused).
        let ev = &self.ev;
        let args: Vec<(Node, Node)> = args
            .into_iter()
            .filter(|(name, _)| {
                let NodeKind::Str(name) = &name.kind else {
                    return true;
                };
                ev.kiln_refs.contains(name) || !ev.evaluated_refs.contains(name)
            })
            .collect();
        if !args.is_empty() {
            root.insert(args_at, section("args", &get("variable"), args));
        }
        map_node(root, Span::new(0, 0))
    }

    fn unknown(&mut self, name: &str, span: Span, place: &str, known: &[&str]) {
        let diagnostic = catalogue::unknown_hcl_key(name, place, span, known);
        self.ev.report(diagnostic);
    }

    fn one_label(&mut self, block: &Block) -> bool {
        if block.labels.len() == 1 {
            return true;
        }
        let kind = block.ident.as_str();
        let diagnostic = catalogue::block_needs_one_label(kind, span_of(&block.ident));
        self.ev.report(diagnostic);
        false
    }

    /// `function "name" { params = [a, b], variadic_params = rest, result = ... }`.
    fn functions(&mut self, blocks: &[&Block]) {
        let mut declared = Vec::new();
        for block in blocks {
            if declared.len() == MAX_USER_FUNCTIONS {
                let span = span_of(&block.ident);
                self.ev
                    .report(catalogue::too_many_functions(MAX_USER_FUNCTIONS, span));
                break;
            }
            let name = block.labels[0].as_str().to_string();
            let mut params = Vec::new();
            let mut variadic = None;
            let mut result = None;
            for attr in block.body.attributes() {
                match attr.key.as_str() {
                    "params" => params = idents(&attr.value),
                    "variadic_params" => variadic = idents(&attr.value).pop(),
                    "result" => {
                        eval::collect_refs(&attr.value, &mut self.ev.evaluated_refs);
                        result = Some(hcl::Expression::from(attr.value.clone()));
                    }
                    other => self.unknown(
                        other,
                        span_of(&attr.key),
                        "in a function",
                        &["params", "variadic_params", "result"],
                    ),
                }
            }
            // bake requires `params` (`params = []` for none).
            if !block.body.has_attribute("params") {
                let span = span_of(&block.ident);
                let d = catalogue::block_without_attribute("function", "params", "[]", span);
                self.ev.report(d);
            }
            match result {
                Some(result) => declared.push(user_functions::UserFunction {
                    name,
                    params,
                    variadic,
                    result,
                }),
                None => {
                    let span = span_of(&block.ident);
                    let example = "<expression>";
                    let d = catalogue::block_without_attribute("function", "result", example, span);
                    self.ev.report(d);
                }
            }
        }
        let scope = self.ev.ctx.clone();
        user_functions::declare_user_functions(&mut self.ev.ctx, declared, scope);
    }

    /// `stage "name" { ... }`: attributes are the stage's settings; step blocks, in order,
    /// are its steps; an `image` block is its image config.
    fn stage(&mut self, block: &Block) -> Node {
        let locals = Locals::default();
        let mut entries = Vec::new();
        let mut steps = Vec::new();
        let mut steps_span = None;
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    if let Some(value) = self.ev.node(&attr.value, &locals) {
                        entries.push((str_node(attr.key.as_str(), span_of(&attr.key)), value));
                    }
                }
                Structure::Block(inner) if inner.ident.as_str() == "image" => {
                    let value = map_node(
                        Self::body_entries(&mut self.ev, &inner.body, &locals),
                        span_of(&inner.ident),
                    );
                    entries.push((str_node("image", span_of(&inner.ident)), value));
                }
                Structure::Block(inner) => {
                    steps_span.get_or_insert(span_of(&inner.ident));
                    if let Some(step) = self.step(inner, &locals) {
                        steps.push(step);
                    }
                }
            }
        }
        if let Some(span) = steps_span {
            entries.push((
                str_node("steps", span),
                Node {
                    kind: NodeKind::Seq(steps),
                    span,
                },
            ));
        }
        map_node(entries, span_of(&block.labels[0]))
    }

    fn step(&mut self, block: &Block, locals: &Locals) -> Option<Node> {
        let kind = block.ident.as_str();
        let span = span_of(&block.ident);
        let Some((_, value_key)) = STEP_BLOCKS.iter().find(|(k, _)| *k == kind) else {
            let mut known: Vec<&str> = STEP_BLOCKS.iter().map(|(k, _)| *k).collect();
            known.push("image");
            self.unknown(kind, span, "in a stage (steps are run, copy, download, env, workdir, user, mkdir, symlink, packages)", &known);
            return None;
        };
        let mut entries = Self::body_entries(&mut self.ev, &block.body, locals);
        let key = str_node(kind, span);
        let Some(value_key) = value_key else {
            return Some(map_node(vec![(key, map_node(entries, span))], span));
        };
        let Some(at) = entries
            .iter()
            .position(|(k, _)| matches!(&k.kind, NodeKind::Str(s) if s == value_key))
        else {
            if block.body.has_attribute(value_key) {
                return None; // written, but its value failed (already reported)
            }
            let diagnostic = catalogue::block_without_attribute(kind, value_key, "...", span);
            self.ev.report(diagnostic);
            return None;
        };
        let (_, value) = entries.remove(at);
        if kind != "run" && !entries.is_empty() {
            let (extra, _) = &entries[0];
            let diagnostic = catalogue::block_takes_only(kind, value_key, extra.span);
            self.ev.report(diagnostic);
            return None;
        }
        entries.insert(0, (key, value));
        Some(map_node(entries, span))
    }

    /// A block body as map entries: attributes, then nested blocks (`mount` blocks make the
    /// `mounts` list; other blocks a map under their name).
    fn body_entries(ev: &mut Evaluator, body: &Body, locals: &Locals) -> Vec<(Node, Node)> {
        let mut entries: Vec<(Node, Node)> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    if let Some(value) = ev.node(&attr.value, locals) {
                        entries.push((str_node(attr.key.as_str(), span_of(&attr.key)), value));
                    }
                }
                Structure::Block(inner) => {
                    let name = inner.ident.as_str();
                    let span = span_of(&inner.ident);
                    if !inner.labels.is_empty() {
                        let label = span_of(&inner.labels[0]);
                        ev.report(catalogue::block_takes_no_label(name, label));
                    }
                    let value = map_node(Self::body_entries(ev, &inner.body, locals), span);
                    match LIST_BLOCKS.iter().find(|(block, _)| *block == name) {
                        Some((_, list_key)) => {
                            let existing = entries.iter_mut().find(
                                |(k, _)| matches!(&k.kind, NodeKind::Str(s) if s == list_key),
                            );
                            match existing {
                                Some((
                                    _,
                                    Node {
                                        kind: NodeKind::Seq(items),
                                        ..
                                    },
                                )) => items.push(value),
                                _ => entries.push((
                                    str_node(list_key, span),
                                    Node {
                                        kind: NodeKind::Seq(vec![value]),
                                        span,
                                    },
                                )),
                            }
                        }
                        None => entries.push((str_node(name, span), value)),
                    }
                }
            }
        }
        entries
    }
}

pub(super) fn label(block: &Block) -> Node {
    str_node(block.labels[0].as_str(), span_of(&block.labels[0]))
}

/// `[a, b]` of bare names (function parameters).
fn idents(expr: &hcl_edit::expr::Expression) -> Vec<String> {
    match expr {
        hcl_edit::expr::Expression::Array(items) => items
            .iter()
            .filter_map(|e| match e {
                hcl_edit::expr::Expression::Variable(v) => Some(v.as_str().to_string()),
                hcl_edit::expr::Expression::String(s) => Some(s.value().clone()),
                _ => None,
            })
            .collect(),
        hcl_edit::expr::Expression::Variable(v) => vec![v.as_str().to_string()],
        _ => Vec::new(),
    }
}
