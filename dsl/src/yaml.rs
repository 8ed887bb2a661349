//! The YAML front end: text → spanned `Node` tree, with limits against hostile input.
//!
//! serde-saphyr parses; a hand-written visitor (no serde buffering, which would drop spans)
//! builds the tree with a byte span for every key and value.

use crate::diagnostic::{Code, Diagnostic};
use crate::node::{Node, NodeKind};
use crate::source::SourceFile;
use crate::span::Span;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// Limits that keep parsing bounded in time and memory whatever the input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_bytes: usize,
    /// Deepest nesting of lists and maps.
    pub max_depth: usize,
    /// Most nodes in the document, counting those reached through aliases.
    pub max_nodes: usize,
    /// Most alias uses (`*name`).
    pub max_aliases: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 << 20,
            max_depth: 48,
            max_nodes: 2_000_000,
            max_aliases: 10_000,
        }
    }
}

/// Parse YAML text into a node tree, or explain why it is not a usable document.
pub fn parse(file: &SourceFile, limits: &Limits) -> Result<Node, Diagnostic> {
    // Plain YAML yields at most about one event per two bytes of text; only alias expansion
    // yields more. Scaling the budget with the file's size refuses an alias bomb after a few
    // thousand events (milliseconds) while any honest file stays far below the budget.
    let max_events = (20_000 + 2 * file.text.len()).min(limits.max_nodes * 2);
    let mut options = serde_saphyr::options! {
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_events: max_events,
            max_nodes: limits.max_nodes.min(max_events),
            max_aliases: limits.max_aliases,
            max_depth: limits.max_depth,
        },
    };
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(&file.text, options) {
        Ok(root) => Ok(into_node(root)),
        Err(error) => Err(syntax_diagnostic(file, &error)),
    }
}

fn syntax_diagnostic(file: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
    let offset = error.location().map(|loc| {
        loc.span()
            .byte_offset()
            .map(|b| b as usize)
            .unwrap_or_else(|| file.offset_of(loc.line() as usize, loc.column() as usize))
    });
    let message = error.to_string();
    let (code, summary, mut help) = classify(&message);
    if let Some(offset) = offset {
        if is_interpolation_in_flow(file, offset, &message) {
            help = "`${` inside `[...]` or `{...}` must be quoted, because `{` and `}` are YAML flow \
                    syntax there: write the item in double quotes, e.g. `[\"registry/app:${VERSION}\"]`"
                .into();
        }
    }
    let mut diagnostic = Diagnostic::error(code, summary).with_help(help);
    if let Some(offset) = offset {
        let offset = offset.min(file.text.len());
        let len = file.text[offset..].chars().next().map_or(0, char::len_utf8);
        let label = if code == Code::Limit {
            "limit reached here".to_string()
        } else {
            first_line(&message)
        };
        diagnostic = diagnostic.with_label(Span::new(offset, len), label);
    }
    diagnostic
}

/// A `${...}` written unquoted inside a flow collection is the most common way to trip
/// over YAML's flow syntax in a kiln file.
fn is_interpolation_in_flow(file: &SourceFile, offset: usize, message: &str) -> bool {
    let line_start = file.text[..offset.min(file.text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = file.text[line_start..]
        .find('\n')
        .map_or(file.text.len(), |i| line_start + i);
    message.contains("flow") && file.text[line_start..line_end].contains("${")
}

/// Turn the parser's message into our code, a one-line summary and a help line.
fn classify(message: &str) -> (Code, String, String) {
    let lower = message.to_lowercase();
    if lower.contains("budget") || lower.contains("recursion limit") {
        let summary = if lower.contains("depth") || lower.contains("recursion") {
            "the YAML document nests too deeply"
        } else {
            "the YAML document is too large once its aliases are expanded (an alias bomb?)"
        };
        (
            Code::Limit,
            summary.to_string(),
            "kiln refuses documents that expand to huge trees or nest deeper than its limits; \
             write the structure out plainly"
                .into(),
        )
    } else if lower.contains("tab") {
        (
            Code::Syntax,
            "tabs are not allowed for indentation in YAML".into(),
            "indent with spaces".into(),
        )
    } else {
        (
            Code::Syntax,
            format!("this file is not valid YAML: {}", first_line(message)),
            "fix the YAML syntax at the marked position".into(),
        )
    }
}

fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message);
    // The parser appends " at line L column C"; our label shows the position already.
    match line.rfind(" at line ") {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}

/// The tree as parsed, before spans are converted.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

fn into_node(raw: Spanned<Raw>) -> Node {
    // `defined` is where the text is (for an alias, the anchored node), so slices of the
    // source under a span are the value's own text.
    let span = raw.defined.span();
    let span = Span::new(
        span.byte_offset().unwrap_or(0) as usize,
        span.byte_len().unwrap_or(0) as usize,
    );
    let kind = match raw.value {
        Raw::Null => NodeKind::Null,
        Raw::Bool(b) => NodeKind::Bool(b),
        Raw::Int(i) => NodeKind::Int(i),
        Raw::Float(f) => NodeKind::Float(f),
        Raw::Str(s) => NodeKind::Str(s),
        Raw::Seq(items) => NodeKind::Seq(items.into_iter().map(into_node).collect()),
        Raw::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (into_node(k), into_node(v)))
                .collect(),
        ),
    };
    Node { kind, span }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        // Larger than i64: keep it as a float; the decoder uses the source text anyway.
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
}
