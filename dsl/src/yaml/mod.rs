//! The YAML front end: text → spanned `Node` tree, with limits against hostile input.
//!
//! We read granit-parser's event stream directly (the YAML 1.2 parser under serde-saphyr):
//! it gives byte offsets for every event, and building our own tree is about twice as fast
//! as going through serde, which matters for large files. Anchors and aliases are expanded
//! here, under a node budget, so an alias bomb is refused after a bounded amount of work.

use crate::diagnostic::{Diagnostic, catalogue};
use crate::node::{Node, NodeKind};
use crate::source::SourceFile;
use crate::span::Span;
use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};
use std::collections::HashMap;

mod fast;

/// Limits that keep parsing bounded in time and memory whatever the input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_bytes: usize,
    /// Deepest nesting of lists and maps.
    pub max_depth: usize,
    /// Most nodes in the document, counting those copied by aliases.
    pub max_nodes: usize,
    /// Most alias uses (`*name`).
    pub max_aliases: usize,
}

impl Limits {
    /// The default largest build file: 8 MiB.
    pub const DEFAULT_MAX_FILE_BYTES: usize = crate::budget::MAX_FILE_BYTES;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: Self::DEFAULT_MAX_FILE_BYTES,
            max_depth: crate::budget::MAX_DEPTH,
            max_nodes: crate::budget::MAX_NODES,
            max_aliases: crate::budget::MAX_ALIASES,
        }
    }
}

/// Parse YAML text into a node tree, or explain why it is not a usable document.
pub fn parse(file: &SourceFile, limits: &Limits) -> Result<Node, Diagnostic> {
    let max_nodes = node_budget(file, limits);
    if let Some(root) = fast::parse(file, limits, max_nodes) {
        return Ok(root);
    }
    full_parse(file, limits, max_nodes)
}

/// What the fast path and the full parser make of `text`, when the fast path reads it at
/// all: `Err` with both trees when they differ. For the tests and the `yaml_fast` fuzz target.
#[doc(hidden)]
pub fn fast_path_agrees(text: &str) -> Result<bool, String> {
    let file = SourceFile::new("fast.kiln.yaml", text);
    let limits = Limits::default();
    let max_nodes = node_budget(&file, &limits);
    let Some(fast) = fast::parse(&file, &limits, max_nodes) else {
        return Ok(false);
    };
    match full_parse(&file, &limits, max_nodes) {
        // Debug text, not `==`: a `.nan` is equal to itself there.
        Ok(full) if format!("{full:?}") == format!("{fast:?}") => Ok(true),
        full => Err(format!("fast path: {fast:?}\nfull parser: {full:?}")),
    }
}

/// Plain YAML has at most about one node per two bytes of text; only aliases make more.
/// Scaling the node budget with the file's size refuses an alias bomb after a few thousand
/// copied nodes, while any honest file stays far below it.
fn node_budget(file: &SourceFile, limits: &Limits) -> usize {
    (20_000 + file.text.len() / 2).min(limits.max_nodes)
}

/// The full YAML 1.2 parser (granit-parser's events) into the node tree.
fn full_parse(file: &SourceFile, limits: &Limits, max_nodes: usize) -> Result<Node, Diagnostic> {
    let mut builder = Builder {
        file,
        limits,
        max_nodes,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        aliases: 0,
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(&file.text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let offset = e
                .marker()
                .byte_offset()
                .unwrap_or_else(|| file.offset_of(e.marker().line(), e.marker().col() + 1));
            syntax_error(file, offset, &e.info())
        })?;
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start).max(start);
        builder.event(event, Span::new(start, end - start))?;
    }
    Ok(builder.root.unwrap_or(Node {
        kind: NodeKind::Null,
        span: Span::new(0, 0),
    }))
}

/// A collection being built.
enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        span: Span,
        anchor: usize,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    limits: &'a Limits,
    max_nodes: usize,
    stack: Vec<Frame>,
    /// Anchor id → the anchored node and how many nodes it holds.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    aliases: usize,
    root: Option<Node>,
    documents: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        match event {
            Event::DocumentStart(..) => self.document_start(span),
            Event::Scalar(value, style, anchor, tag) => {
                let tag_suffix = tag
                    .as_ref()
                    .filter(|t| t.is_yaml_core_schema())
                    .map(|t| t.suffix().to_string());
                let kind = scalar_meaning(&value, style, tag_suffix.as_deref())
                    .unwrap_or_else(|| NodeKind::Str(value.into_owned()));
                self.count(1, span)?;
                self.complete(Node { kind, span }, anchor, 1)
            }
            Event::SequenceStart(style, anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    span: collection_span(style, span),
                    anchor,
                });
                Ok(())
            }
            Event::MappingStart(style, anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    span: collection_span(style, span),
                    anchor,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.alias(id, span),
            _ => Ok(()),
        }
    }

    /// A build file is one document: a second `---` is refused.
    fn document_start(&mut self, span: Span) -> Result<(), Diagnostic> {
        self.documents += 1;
        if self.documents > 1 {
            let span = Span::new(span.start, span.len.max(1));
            return Err(catalogue::several_yaml_documents(span));
        }
        Ok(())
    }

    /// The innermost list or map is finished: it becomes a node of its parent.
    fn close(&mut self) -> Result<(), Diagnostic> {
        let (node, anchor) = match self.stack.pop() {
            Some(Frame::Seq {
                items,
                span,
                anchor,
            }) => (
                Node {
                    kind: NodeKind::Seq(items),
                    span,
                },
                anchor,
            ),
            Some(Frame::Map {
                entries,
                span,
                anchor,
                ..
            }) => (
                Node {
                    kind: NodeKind::Map(entries),
                    span,
                },
                anchor,
            ),
            None => return Ok(()),
        };
        // Only an anchored node can be copied, so only its size is worth counting.
        let size = if anchor != 0 { node_count(&node) } else { 0 };
        self.complete(node, anchor, size)
    }

    /// `*name`: a copy of the anchored node, counted against the alias and node budgets.
    fn alias(&mut self, id: usize, span: Span) -> Result<(), Diagnostic> {
        self.aliases += 1;
        if self.aliases > self.limits.max_aliases {
            return Err(catalogue::yaml_too_many_aliases(span));
        }
        let Some((node, size)) = self.anchors.get(&id).cloned() else {
            return Err(syntax_error(
                self.file,
                span.start,
                "this alias refers to no anchor",
            ));
        };
        self.count(size, span)?;
        self.complete(node, 0, size)
    }

    fn open(&mut self, span: Span) -> Result<(), Diagnostic> {
        self.count(1, span)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(catalogue::yaml_too_deep(span));
        }
        Ok(())
    }

    fn count(&mut self, nodes: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes += nodes;
        if self.nodes > self.max_nodes {
            return Err(catalogue::yaml_alias_bomb(span));
        }
        Ok(())
    }

    /// A node is finished: remember it if anchored, then add it to its parent.
    fn complete(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size.max(1)));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// Block collections get an empty span at their start (labels then use their key); flow
/// collections span their opening bracket.
fn collection_span(style: StructureStyle, span: Span) -> Span {
    match style {
        StructureStyle::Flow => Span::new(span.start, 1),
        StructureStyle::Block => Span::new(span.start, 0),
    }
}

fn node_count(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        NodeKind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// YAML 1.2 core schema: what a plain scalar means. Quoted and block scalars are strings.
#[cfg(test)]
fn resolve_scalar(value: &str, style: ScalarStyle, tag: Option<&str>) -> NodeKind {
    scalar_meaning(value, style, tag).unwrap_or_else(|| NodeKind::Str(value.to_string()))
}

/// What a scalar means when it is not a string (`None`: it is one). Kept apart from making
/// the string so the parser's own copy of the text can become the node's.
fn scalar_meaning(value: &str, style: ScalarStyle, tag: Option<&str>) -> Option<NodeKind> {
    match tag {
        Some("str") => return None,
        Some("null") => return Some(NodeKind::Null),
        Some(_) => {}
        None if style != ScalarStyle::Plain => return None,
        None => {}
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Some(NodeKind::Null),
        "true" | "True" | "TRUE" => return Some(NodeKind::Bool(true)),
        "false" | "False" | "FALSE" => return Some(NodeKind::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(NodeKind::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(NodeKind::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(NodeKind::Float(f64::NAN)),
        _ => {}
    }
    if let Some(int) = parse_int(value) {
        return Some(NodeKind::Int(int));
    }
    if is_float(value)
        && let Ok(f) = value.parse::<f64>()
    {
        return Some(NodeKind::Float(f));
    }
    None
}

fn parse_int(value: &str) -> Option<i64> {
    if let Some(octal) = value.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok();
    }
    if let Some(hex) = value.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(value: &str) -> bool {
    let v = value.strip_prefix(['-', '+']).unwrap_or(value);
    let (mantissa, exponent) = match v.find(['e', 'E']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

fn syntax_error(file: &SourceFile, offset: usize, message: &str) -> Diagnostic {
    let offset = offset.min(file.text.len());
    if message.contains("recursion limit") || message.contains("nesting limit") {
        // The parser's own guard against deep flow nesting.
        return catalogue::yaml_too_deep(Span::new(offset, 0));
    }
    let len = file.text[offset..].chars().next().map_or(0, char::len_utf8);
    let span = Span::new(offset, len);
    let message = message.lines().next().unwrap_or(message);
    if message.contains("tab") {
        catalogue::yaml_tabs(span, message)
    } else if message.contains("flow") && line_at(file, offset).contains("${") {
        catalogue::yaml_flow_interpolation(span, message)
    } else {
        catalogue::yaml_syntax(span, message)
    }
}

fn line_at(file: &SourceFile, offset: usize) -> &str {
    let start = file.text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = file.text[offset..]
        .find('\n')
        .map_or(file.text.len(), |i| offset + i);
    &file.text[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    fn kind(value: &str) -> NodeKind {
        resolve_scalar(value, ScalarStyle::Plain, None)
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(kind("~"), NodeKind::Null);
        assert_eq!(kind("true"), NodeKind::Bool(true));
        assert_eq!(
            kind("yes"),
            NodeKind::Str("yes".into()),
            "YAML 1.2: `yes` is a string"
        );
        assert_eq!(kind("0755"), NodeKind::Int(755));
        assert_eq!(kind("0x1F"), NodeKind::Int(31));
        assert_eq!(kind("1.10"), NodeKind::Float(1.1));
        assert_eq!(kind("1e3"), NodeKind::Float(1000.0));
        assert_eq!(kind("1.2.3"), NodeKind::Str("1.2.3".into()));
        assert_eq!(kind("-"), NodeKind::Str("-".into()));
        assert_eq!(
            resolve_scalar("1", ScalarStyle::DoubleQuoted, None),
            NodeKind::Str("1".into())
        );
    }

    #[test]
    fn spans_are_byte_offsets_after_multibyte_text() {
        let file = SourceFile::new("f", "wé: ☕\nk: [a, \"b\"]\n");
        let root = parse(&file, &Limits::default()).unwrap();
        let entries = root.as_map().unwrap();
        assert_eq!(file.slice(entries[0].0.span), Some("wé"));
        assert_eq!(file.slice(entries[0].1.span), Some("☕"));
        let NodeKind::Seq(items) = &entries[1].1.kind else {
            panic!("a list")
        };
        assert_eq!(file.slice(items[1].span), Some("\"b\""));
    }

    #[test]
    fn several_documents_are_refused() {
        let file = SourceFile::new("f", "a: 1\n---\nb: 2\n");
        assert_eq!(
            parse(&file, &Limits::default()).unwrap_err().code,
            Code::Syntax
        );
    }
}
