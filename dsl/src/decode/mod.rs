//! The decoder: spanned `Node` tree → typed model. It reports every problem it finds (unknown
//! keys with suggestions, type mismatches with their path, missing and duplicate keys) and
//! keeps going, so one run shows them all.

mod model;

use crate::diagnostic::{Diagnostic, catalogue};
use crate::node::{Node, NodeKind};
use crate::source::SourceFile;
use crate::span::{Sp, Span};
use indexmap::IndexMap;
use std::collections::HashMap;

pub use model::decode_build_file;

/// Decoding state: where we are in the document, and what went wrong so far.
pub struct Decoder<'a> {
    file: &'a SourceFile,
    /// The path from the root as written in messages, e.g. `stages.build.steps[2]`: one
    /// buffer, so entering a key or an item allocates nothing.
    path: String,
    /// The length of `path` before each segment on it, to go back out.
    path_marks: Vec<usize>,
    /// Spans of the keys on the path; the innermost one is where a missing key is reported.
    key_spans: Vec<Span>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Decoder<'a> {
    pub fn new(file: &'a SourceFile) -> Self {
        Decoder {
            file,
            path: String::new(),
            path_marks: Vec::new(),
            key_spans: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The current path in the document, e.g. `stages.build.steps[2].run`.
    pub fn path(&self) -> String {
        if self.path.is_empty() {
            "the top level".into()
        } else {
            format!("`{}`", self.path)
        }
    }

    /// Decode inside `key`, keeping the path and key span up to date.
    pub fn at_key<R>(&mut self, key: &str, key_span: Span, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path_marks.push(self.path.len());
        // Keys are joined with `.`; a key written like an index (`[0]`) is not.
        if !key.starts_with('[') && !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
        self.key_spans.push(key_span);
        let result = f(self);
        self.key_spans.pop();
        self.leave_segment();
        result
    }

    /// Decode inside list item `index`.
    pub fn at_index<R>(&mut self, index: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        use std::fmt::Write;
        self.path_marks.push(self.path.len());
        let _ = write!(self.path, "[{index}]");
        let result = f(self);
        self.leave_segment();
        result
    }

    fn leave_segment(&mut self) {
        if let Some(mark) = self.path_marks.pop() {
            self.path.truncate(mark);
        }
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn type_mismatch(&mut self, node: &Node, expected: &str) {
        let span = self.label_span(node);
        let diagnostic = catalogue::type_mismatch(expected, &self.path(), node.describe(), span);
        self.report(diagnostic);
    }

    /// A span worth underlining: map nodes have an empty span, so use their key instead.
    pub fn label_span(&self, node: &Node) -> Span {
        if node.span.len == 0
            && let Some(&key) = self.key_spans.last()
        {
            return key;
        }
        node.span
    }

    /// A string value. Numbers and booleans are refused: the schema says string.
    ///
    /// Decoding takes a value's string out of the tree (each node is decoded once, and the
    /// tree is dropped after), so the model gets it without a copy.
    pub fn string(&mut self, node: &mut Node) -> Option<Sp<String>> {
        match &mut node.kind {
            NodeKind::Str(s) => Some(Sp::new(std::mem::take(s), node.span)),
            _ => {
                self.type_mismatch(node, "a string");
                None
            }
        }
    }

    /// A scalar used as text: strings, and numbers or booleans as written in the file
    /// (`1.10` stays `1.10`).
    pub fn text(&mut self, node: &mut Node) -> Option<Sp<String>> {
        match &mut node.kind {
            NodeKind::Str(s) => Some(Sp::new(std::mem::take(s), node.span)),
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => {
                // The text at the span is the value only when it is the literal itself: an
                // HCL value computed by an expression (`1 + 2`, `equal(A, null)`) points at
                // the expression, whose text is not the value.
                let written = self
                    .file
                    .slice(node.span)
                    .filter(|text| is_literal(text, &node.kind))
                    .map(str::to_string);
                let text = written.unwrap_or_else(|| match &node.kind {
                    NodeKind::Int(i) => i.to_string(),
                    NodeKind::Float(f) => f.to_string(),
                    NodeKind::Bool(b) => b.to_string(),
                    _ => unreachable!("matched above"),
                });
                Some(Sp::new(text, node.span))
            }
            _ => {
                self.type_mismatch(node, "a string, number or boolean");
                None
            }
        }
    }

    pub fn bool(&mut self, node: &mut Node) -> Option<Sp<bool>> {
        match node.kind {
            NodeKind::Bool(b) => Some(Sp::new(b, node.span)),
            _ => {
                self.type_mismatch(node, "`true` or `false`");
                None
            }
        }
    }

    pub fn unsigned<T: TryFrom<i64>>(&mut self, node: &mut Node) -> Option<Sp<T>> {
        match node.kind {
            NodeKind::Int(i) => match T::try_from(i) {
                Ok(v) => Some(Sp::new(v, node.span)),
                Err(_) => {
                    self.report(catalogue::out_of_range(i, &self.path(), node.span));
                    None
                }
            },
            _ => {
                self.type_mismatch(node, "a whole number");
                None
            }
        }
    }

    /// One of a fixed set of words.
    pub fn choice<T: Copy>(&mut self, node: &mut Node, choices: &[(&str, T)]) -> Option<Sp<T>> {
        let word = self.string(node)?;
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == word.value) {
            return Some(Sp::new(*value, node.span));
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let diagnostic = catalogue::invalid_choice(&word.value, &self.path(), &names, node.span);
        self.report(diagnostic);
        None
    }

    /// A list, decoding each item with `item`. Items that fail are left out (and reported).
    pub fn list<T>(
        &mut self,
        node: &mut Node,
        mut item: impl FnMut(&mut Self, &mut Node) -> Option<T>,
    ) -> Option<Vec<T>> {
        let NodeKind::Seq(items) = &mut node.kind else {
            self.type_mismatch(node, "a list");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, node) in items.iter_mut().enumerate() {
            if let Some(value) = self.at_index(i, |d| item(d, node)) {
                out.push(value);
            }
        }
        Some(out)
    }

    /// A list of strings (tags, platforms, paths, names).
    pub fn string_list(&mut self, node: &mut Node) -> Option<Vec<Sp<String>>> {
        self.list(node, Self::string)
    }

    /// A string or a list of strings.
    pub fn one_or_many(&mut self, node: &mut Node) -> Option<Sp<Vec<Sp<String>>>> {
        let span = node.span;
        match &mut node.kind {
            NodeKind::Str(s) => Some(Sp::new(vec![Sp::new(std::mem::take(s), span)], span)),
            NodeKind::Seq(_) => {
                let items = self.string_list(node)?;
                Some(Sp::new(items, node.span))
            }
            _ => {
                self.type_mismatch(node, "a string or a list of strings");
                None
            }
        }
    }

    /// A map of names to values, in order. Duplicate names are reported with both places;
    /// the first one wins.
    pub fn named<T>(
        &mut self,
        node: &mut Node,
        mut value: impl FnMut(&mut Self, &Sp<String>, &mut Node) -> Option<T>,
    ) -> Option<IndexMap<Sp<String>, T>> {
        let Some(entries) = node.as_map_mut() else {
            self.type_mismatch(node, "a map");
            return None;
        };
        let mut out: IndexMap<Sp<String>, T> = IndexMap::with_capacity(entries.len());
        // Keys whose value failed to decode are not in `out` but still count as written.
        let mut failed: HashMap<String, Span> = HashMap::new();
        for (key_node, value_node) in entries.iter_mut() {
            let Some(key) = self.key(key_node) else {
                continue;
            };
            let first = match out.get_key_value(key.value.as_str()) {
                Some((written, _)) => Some(written.span),
                None => failed.get(&key.value).copied(),
            };
            if let Some(first) = first {
                self.duplicate_key(&key, first);
                continue;
            }
            match self.at_key(&key.value, key.span, |d| value(d, &key, value_node)) {
                Some(v) => {
                    out.insert(key, v);
                }
                None => {
                    failed.insert(key.value, key.span);
                }
            }
        }
        Some(out)
    }

    /// A map of names to scalar values kept as text (env, labels, args).
    pub fn string_map(&mut self, node: &mut Node) -> Option<IndexMap<Sp<String>, Sp<String>>> {
        self.named(node, |d, _, v| d.text(v))
    }

    fn key(&mut self, key_node: &mut Node) -> Option<Sp<String>> {
        match &mut key_node.kind {
            NodeKind::Str(s) => Some(Sp::new(std::mem::take(s), key_node.span)),
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => self.text(key_node),
            _ => {
                let span = self.label_span(key_node);
                let found = key_node.describe();
                self.report(catalogue::non_string_key(&self.path(), found, span));
                None
            }
        }
    }

    fn duplicate_key(&mut self, key: &Sp<String>, first: Span) {
        let diagnostic = catalogue::duplicate_key(&key.value, &self.path(), key.span, first);
        self.report(diagnostic);
    }

    /// Open a map whose keys are a fixed set of fields. Unknown keys are reported with a
    /// suggestion, duplicates with both places.
    pub fn fields<'n>(
        &mut self,
        node: &'n mut Node,
        what: &str,
        allowed: &[&'static str],
    ) -> Option<Fields<'n>> {
        let owner = self.label_span(node);
        if !matches!(node.kind, NodeKind::Map(_)) {
            self.type_mismatch(node, what);
            return None;
        }
        let entries = node.as_map_mut()?;
        let mut fields = Fields {
            entries: Vec::with_capacity(entries.len()),
            owner,
        };
        for (key_node, value) in entries.iter_mut() {
            // Field names are compared as written: only a key that is not a string (rare)
            // needs its text made.
            let made;
            let text: &str = match &key_node.kind {
                NodeKind::Str(s) => s,
                _ => match self.key(key_node) {
                    Some(key) => {
                        made = key;
                        &made.value
                    }
                    None => continue,
                },
            };
            let key = || Sp::new(text.to_string(), key_node.span);
            let Some(&name) = allowed.iter().find(|a| **a == text) else {
                self.unknown_key(&key(), what, allowed);
                continue;
            };
            if let Some(&(_, first, _)) = fields.entries.iter().find(|(n, _, _)| *n == name) {
                self.duplicate_key(&key(), first);
                continue;
            }
            fields.entries.push((name, key_node.span, Some(value)));
        }
        Some(fields)
    }

    pub fn unknown_key(&mut self, key: &Sp<String>, what: &str, allowed: &[&str]) {
        let path = self.path();
        let diagnostic = catalogue::unknown_key(&key.value, what, &path, key.span, allowed);
        self.report(diagnostic);
    }

    /// Decode field `name` of `fields` if present.
    pub fn field<T>(
        &mut self,
        fields: &mut Fields<'_>,
        name: &str,
        f: impl FnOnce(&mut Self, &mut Node) -> Option<T>,
    ) -> Option<T> {
        let (key_span, node) = fields.take(name)?;
        self.at_key(name, key_span, |d| f(d, node))
    }

    /// Decode field `name` if present, else the empty value (no list, no map).
    pub fn field_or_default<T: Default>(
        &mut self,
        fields: &mut Fields<'_>,
        name: &str,
        f: impl FnOnce(&mut Self, &mut Node) -> Option<T>,
    ) -> T {
        self.field(fields, name, f).unwrap_or_default()
    }

    /// Decode field `name`, reporting it as missing when absent.
    pub fn required<T>(
        &mut self,
        fields: &mut Fields<'_>,
        name: &str,
        what: &str,
        f: impl FnOnce(&mut Self, &mut Node) -> Option<T>,
    ) -> Option<T> {
        if !fields.has(name) {
            let diagnostic = catalogue::missing_key(name, what, &self.path(), fields.owner);
            self.report(diagnostic);
            return None;
        }
        self.field(fields, name, f)
    }
}

/// The known keys of one map, with their key spans and values (each value is handed out
/// once, to be decoded).
pub struct Fields<'n> {
    entries: Vec<(&'static str, Span, Option<&'n mut Node>)>,
    /// Where to point when a key is missing.
    owner: Span,
}

impl<'n> Fields<'n> {
    /// The value of field `name` and its key's span, if written and not yet decoded.
    pub fn take(&mut self, name: &str) -> Option<(Span, &'n mut Node)> {
        let (_, span, node) = self.entries.iter_mut().find(|(n, _, _)| *n == name)?;
        Some((*span, node.take()?))
    }

    /// Whether field `name` is written (decoded or not).
    pub fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _, _)| *n == name)
    }
}

/// `text` is the literal of this number or boolean: `1.10` for 1.1 (kept as written), not
/// `1 + 2` or `FOO` for 3.
fn is_literal(text: &str, kind: &NodeKind) -> bool {
    let text = text.trim();
    match kind {
        NodeKind::Bool(b) => text.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        NodeKind::Int(i) => {
            let digits = text.trim_start_matches('+');
            let radix = |prefix: &str, radix: u32| {
                digits
                    .strip_prefix(prefix)
                    .and_then(|d| i64::from_str_radix(d, radix).ok())
            };
            digits.parse::<f64>().ok() == Some(*i as f64)
                || radix("0x", 16) == Some(*i)
                || radix("0o", 8) == Some(*i)
        }
        NodeKind::Float(f) => text.parse::<f64>().ok() == Some(*f),
        _ => false,
    }
}
