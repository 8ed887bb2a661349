//! The YAML front end's fast path: the block style build files are written in, read straight
//! into the node tree, several times faster than the full parser.
//!
//! It reads a subset: block maps and lists, plain and quoted scalars on one line, literal
//! block scalars (`|`, `|-`, `|+`) and flow collections on one line. Anything else (anchors,
//! tags, folded or multi-line scalars, tabs, several documents, anything it is not sure
//! about) makes it give up with `None`, and the full parser reads the file: it is never the
//! one that refuses a file, so every error and every unusual file comes from one parser.
//! Where it does answer, it must build exactly the tree the full parser builds, spans
//! included: `tests::*` and the `yaml_fast` fuzz target compare the two.

use super::{Limits, scalar_meaning};
use crate::node::{Node, NodeKind};
use crate::source::SourceFile;
use crate::span::Span;
use granit_parser::ScalarStyle;

/// The file's tree, or `None` when the full parser must read it.
pub fn parse(file: &SourceFile, limits: &Limits, max_nodes: usize) -> Option<Node> {
    let text = file.text.as_bytes();
    if !plain_text(&file.text) {
        return None;
    }
    let mut reader = Reader {
        text,
        pos: 0,
        nodes: 0,
        max_nodes,
        depth: 0,
        max_depth: limits.max_depth,
    };
    let (at, indent) = reader.next_content_line(0)?;
    let root = reader.block_node(at, indent)?;
    match reader.next_content_line(reader.pos) {
        None => Some(root),
        Some(_) => None,
    }
}

/// Text the fast path can read: ends with a line break, and holds no tab, carriage return,
/// control or YAML-special character, no directive and no document marker.
fn plain_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.last() != Some(&b'\n') {
        return false;
    }
    let mut line_start = true;
    let mut ascii = true;
    for (i, &b) in bytes.iter().enumerate() {
        if line_start && (b == b'%' || is_document_marker(&bytes[i..])) {
            return false;
        }
        if (b < 0x20 && b != b'\n') || b == 0x7f {
            return false;
        }
        ascii &= b < 0x80;
        line_start = b == b'\n';
    }
    ascii
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
}

/// `---` or `...` at a line's start (a document's start or end).
fn is_document_marker(line: &[u8]) -> bool {
    (line.starts_with(b"---") || line.starts_with(b"..."))
        && matches!(line.get(3), None | Some(b' ' | b'\n'))
}

enum Chomp {
    Clip,
    Strip,
    Keep,
}

struct Reader<'a> {
    text: &'a [u8],
    /// Where reading goes on: the start of the line after the last value read.
    pos: usize,
    nodes: usize,
    max_nodes: usize,
    depth: usize,
    max_depth: usize,
}

impl Reader<'_> {
    fn at(&self, i: usize) -> u8 {
        self.text.get(i).copied().unwrap_or(b'\n')
    }

    fn str(&self, start: usize, end: usize) -> &str {
        // Both ends are at ASCII bytes the reader stopped on, so this is a char boundary.
        std::str::from_utf8(&self.text[start..end]).unwrap_or_default()
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.at(i) == b' ' {
            i += 1;
        }
        i
    }

    fn line_end(&self, i: usize) -> usize {
        self.text[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.text.len(), |n| i + n)
    }

    /// From a line start: the first line with content (not blank, not a comment), as the
    /// position of its first character and its indentation.
    fn next_content_line(&self, mut line: usize) -> Option<(usize, usize)> {
        while line < self.text.len() {
            let first = self.skip_spaces(line);
            match self.at(first) {
                b'\n' => line = first + 1,
                b'#' => line = self.line_end(first) + 1,
                _ => return Some((first, first - line)),
            }
        }
        None
    }

    /// One more node, within the file's node budget (else the full parser reports it).
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= self.max_nodes).then_some(())
    }

    fn open(&mut self) -> Option<()> {
        self.count()?;
        self.depth += 1;
        (self.depth < self.max_depth).then_some(())
    }

    fn is_entry(&self, i: usize) -> bool {
        self.at(i) == b'-' && matches!(self.at(i + 1), b' ' | b'\n')
    }

    /// The rest of a line after a value: spaces, then the line's end or a comment.
    fn end_line(&mut self, i: usize) -> Option<()> {
        let j = self.skip_spaces(i);
        match self.at(j) {
            b'\n' => {}
            b'#' if j > i => {}
            _ => return None,
        }
        self.pos = (self.line_end(j) + 1).min(self.text.len());
        Some(())
    }

    /// A node that starts a line's content at column `indent`: a list or a map.
    fn block_node(&mut self, at: usize, indent: usize) -> Option<Node> {
        if self.is_entry(at) {
            return self.block_seq(at, indent, false);
        }
        self.implicit_key(at)?;
        self.block_map(at, indent)
    }

    fn block_map(&mut self, at: usize, indent: usize) -> Option<Node> {
        self.open()?;
        let mut entries = Vec::new();
        let mut key_at = at;
        loop {
            let (key, colon) = self.implicit_key(key_at)?;
            self.count()?;
            let value = self.map_value(colon, indent)?;
            entries.push((key, value));
            match self.next_content_line(self.pos) {
                Some((next, i)) if i == indent && !self.is_entry(next) => key_at = next,
                Some((_, i)) if i < indent => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(Node {
            kind: NodeKind::Map(entries),
            span: Span::new(at, 0),
        })
    }

    /// A list at column `indent`; `indentless` when it is a map value at its key's column.
    fn block_seq(&mut self, at: usize, indent: usize, indentless: bool) -> Option<Node> {
        self.open()?;
        let mut items = Vec::new();
        let mut dash = at;
        loop {
            items.push(self.seq_item(dash, indent)?);
            match self.next_content_line(self.pos) {
                Some((next, i)) if i == indent && self.is_entry(next) => dash = next,
                Some((_, i)) if i < indent || (i == indent && indentless) => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        // The full parser starts an indentless list where its first item's token is: after
        // the dash, or at the line's end when the item is not on that line.
        let start = match self.skip_spaces(at + 1) {
            _ if !indentless => at,
            first if matches!(self.at(first), b'\n' | b'#') => self.line_end(first),
            first => first,
        };
        Some(Node {
            kind: NodeKind::Seq(items),
            span: Span::new(start, 0),
        })
    }

    fn seq_item(&mut self, dash: usize, indent: usize) -> Option<Node> {
        let at = self.skip_spaces(dash + 1);
        let column = at - (dash - indent);
        match self.at(at) {
            b'\n' | b'#' => {
                let line_end = self.line_end(at);
                self.pos = (line_end + 1).min(self.text.len());
                match self.next_content_line(self.pos) {
                    Some((next, i)) if i > indent => self.block_node(next, i),
                    _ => self.null(line_end),
                }
            }
            _ if self.is_entry(at) => self.block_seq(at, column, false),
            _ if self.implicit_key(at).is_some() => self.block_map(at, column),
            _ => self.inline_value(at, indent),
        }
    }

    fn null(&mut self, at: usize) -> Option<Node> {
        self.count()?;
        Some(Node {
            kind: NodeKind::Null,
            span: Span::new(at, 0),
        })
    }

    /// The value after a key's colon: on the same line, or the block below it.
    fn map_value(&mut self, colon: usize, indent: usize) -> Option<Node> {
        let at = self.skip_spaces(colon + 1);
        if !matches!(self.at(at), b'\n' | b'#') {
            return self.inline_value(at, indent);
        }
        self.pos = (self.line_end(at) + 1).min(self.text.len());
        match self.next_content_line(self.pos) {
            Some((next, i)) if i > indent => self.block_node(next, i),
            Some((next, i)) if i == indent && self.is_entry(next) => {
                self.block_seq(next, indent, true)
            }
            _ => self.null(colon),
        }
    }

    /// A map key at `at` followed by `: ` (or `:` and the line's end): the key and the
    /// colon's position.
    fn implicit_key(&self, at: usize) -> Option<(Node, usize)> {
        let (key, end) = match self.at(at) {
            b'"' => self.double_quoted(at)?,
            b'\'' => self.single_quoted(at)?,
            _ => {
                let end = self.plain_end(at, false)?;
                (self.plain(at, end), end)
            }
        };
        let colon_ok = self.at(end) == b':' && matches!(self.at(end + 1), b' ' | b'\n');
        (colon_ok && end - at <= 1024).then_some((key, end))
    }

    /// Where a plain scalar starting at `at` ends (before trailing spaces): at `: `, ` #` or
    /// the line's end; in a flow collection also at `,[]{}`. `None` for what is not a plain
    /// scalar, or may not be one.
    fn plain_end(&self, at: usize, flow: bool) -> Option<usize> {
        let first = self.at(at);
        let next = self.at(at + 1);
        let indicator = b"[]{},#&*!|>'\"%@`?:".contains(&first)
            || (first == b'-'
                && (matches!(next, b' ' | b'\n') || (flow && b",[]{}".contains(&next))));
        if indicator || first == b' ' || first == b'\n' {
            return None;
        }
        let mut i = at;
        let mut end = at;
        loop {
            let b = self.at(i);
            let stops = match b {
                b'\n' => true,
                b'#' => self.at(i - 1) == b' ',
                b':' => {
                    let after = self.at(i + 1);
                    matches!(after, b' ' | b'\n') || (flow && b",[]{}".contains(&after))
                }
                b',' | b'[' | b']' | b'{' | b'}' => flow,
                _ => false,
            };
            if stops {
                return Some(end);
            }
            if b != b' ' {
                end = i + 1;
            }
            i += 1;
        }
    }

    fn plain(&self, start: usize, end: usize) -> Node {
        let value = self.str(start, end);
        let kind = scalar_meaning(value, ScalarStyle::Plain, None)
            .unwrap_or_else(|| NodeKind::Str(value.to_string()));
        Node {
            kind,
            span: Span::new(start, end - start),
        }
    }

    /// A scalar, a flow collection or a literal block after a key or a list's dash.
    fn inline_value(&mut self, at: usize, indent: usize) -> Option<Node> {
        let (node, end) = match self.at(at) {
            b'|' => return self.literal(at, indent),
            b'[' | b'{' => {
                let (node, end) = self.flow_node(at)?;
                self.end_line(end)?;
                return Some(node);
            }
            b'"' => self.double_quoted(at)?,
            b'\'' => self.single_quoted(at)?,
            _ => {
                let end = self.plain_end(at, false)?;
                let after = self.skip_spaces(end);
                if self.at(after) == b':' {
                    return None; // `a: b:`: not a scalar
                }
                (self.plain(at, end), end)
            }
        };
        self.count()?;
        self.end_line(end)?;
        Some(node)
    }

    /// A double-quoted scalar on one line: the node and the position after its quote.
    fn double_quoted(&self, at: usize) -> Option<(Node, usize)> {
        let mut value = String::new();
        let mut i = at + 1;
        let mut run = i;
        loop {
            match self.at(i) {
                b'"' => break,
                b'\n' => return None, // goes on on the next line: the full parser folds it
                b'\\' => {
                    value.push_str(self.str(run, i));
                    let (c, len) = self.escape(i + 1)?;
                    value.push(c);
                    i += 1 + len;
                    run = i;
                }
                _ => i += 1,
            }
        }
        value.push_str(self.str(run, i));
        Some((string_node(value, at, i + 1), i + 1))
    }

    /// The escape after a backslash: its character and how many bytes it takes.
    fn escape(&self, at: usize) -> Option<(char, usize)> {
        let simple = match self.at(at) {
            b'0' => '\0',
            b'a' => '\u{7}',
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\u{b}',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'e' => '\u{1b}',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex_escape(at + 1, 2),
            b'u' => return self.hex_escape(at + 1, 4),
            b'U' => return self.hex_escape(at + 1, 8),
            _ => return None,
        };
        Some((simple, 1))
    }

    fn hex_escape(&self, at: usize, digits: usize) -> Option<(char, usize)> {
        let hex = self.text.get(at..at + digits)?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let code = u32::from_str_radix(self.str(at, at + digits), 16).ok()?;
        Some((char::from_u32(code)?, 1 + digits))
    }

    /// A single-quoted scalar on one line (`''` is a quote).
    fn single_quoted(&self, at: usize) -> Option<(Node, usize)> {
        let mut value = String::new();
        let mut i = at + 1;
        let mut run = i;
        loop {
            match self.at(i) {
                b'\'' if self.at(i + 1) == b'\'' => {
                    value.push_str(self.str(run, i + 1));
                    i += 2;
                    run = i;
                }
                b'\'' => break,
                b'\n' => return None,
                _ => i += 1,
            }
        }
        value.push_str(self.str(run, i));
        Some((string_node(value, at, i + 1), i + 1))
    }

    /// A node inside a flow collection (or the collection itself), on this line: the node
    /// and the position after it.
    fn flow_node(&mut self, at: usize) -> Option<(Node, usize)> {
        match self.at(at) {
            b'[' => self.flow_seq(at),
            b'{' => self.flow_map(at),
            _ => {
                let scalar = self.flow_scalar(at)?;
                self.count()?;
                Some(scalar)
            }
        }
    }

    fn flow_scalar(&self, at: usize) -> Option<(Node, usize)> {
        match self.at(at) {
            b'"' => self.double_quoted(at),
            b'\'' => self.single_quoted(at),
            _ => {
                let end = self.plain_end(at, true)?;
                Some((self.plain(at, end), end))
            }
        }
    }

    fn flow_seq(&mut self, at: usize) -> Option<(Node, usize)> {
        self.open()?;
        let mut items = Vec::new();
        let mut i = self.skip_spaces(at + 1);
        while self.at(i) != b']' {
            let (item, end) = self.flow_node(i)?;
            items.push(item);
            i = self.skip_spaces(end);
            match self.at(i) {
                b',' => i = self.skip_spaces(i + 1),
                b']' => {}
                _ => return None,
            }
        }
        self.depth -= 1;
        let node = Node {
            kind: NodeKind::Seq(items),
            span: Span::new(at, 1),
        };
        Some((node, i + 1))
    }

    fn flow_map(&mut self, at: usize) -> Option<(Node, usize)> {
        self.open()?;
        let mut entries = Vec::new();
        let mut i = self.skip_spaces(at + 1);
        while self.at(i) != b'}' {
            let (key, end) = self.flow_scalar(i)?;
            self.count()?;
            if self.at(end) != b':' || self.at(end + 1) != b' ' {
                return None;
            }
            let value_at = self.skip_spaces(end + 1);
            if matches!(self.at(value_at), b',' | b'}') {
                return None; // an empty value
            }
            let (value, end) = self.flow_node(value_at)?;
            entries.push((key, value));
            i = self.skip_spaces(end);
            match self.at(i) {
                b',' => i = self.skip_spaces(i + 1),
                b'}' => {}
                _ => return None,
            }
        }
        self.depth -= 1;
        let node = Node {
            kind: NodeKind::Map(entries),
            span: Span::new(at, 1),
        };
        Some((node, i + 1))
    }

    /// A literal block scalar (`|`, `|-`, `|+`) whose parent is at column `indent`. Its
    /// span runs from its first character to the indentation of the line after it.
    fn literal(&mut self, at: usize, indent: usize) -> Option<Node> {
        let (chomp, header_end) = match self.at(at + 1) {
            b'-' => (Chomp::Strip, at + 2),
            b'+' => (Chomp::Keep, at + 2),
            _ => (Chomp::Clip, at + 1),
        };
        if !matches!(self.at(header_end), b' ' | b'\n') {
            return None; // an indentation indicator, or `|-+`
        }
        self.end_line(header_end)?;
        let mut line = self.pos;
        let mut content: Option<(usize, usize)> = None; // (column, first character)
        let mut value = String::new();
        let (mut breaks, mut leading_spaces) = (0, 0);
        let (end, next_line) = loop {
            if line >= self.text.len() {
                break (self.text.len(), self.text.len());
            }
            let first = self.skip_spaces(line);
            let spaces = first - line;
            if self.at(first) == b'\n' {
                leading_spaces = leading_spaces.max(spaces);
                if content.is_some_and(|(column, _)| spaces > column) {
                    return None; // a line of spaces only, longer than the indentation
                }
                breaks += 1;
                line = first + 1;
                continue;
            }
            let column = match content {
                Some((column, _)) if spaces < column => break (first, line),
                Some((column, _)) => column,
                None if spaces <= indent || leading_spaces > spaces => return None,
                None => {
                    content = Some((spaces, first));
                    spaces
                }
            };
            value.extend(std::iter::repeat_n('\n', breaks));
            let eol = self.line_end(first);
            value.push_str(self.str(line + column, eol));
            breaks = 1;
            line = eol + 1;
        };
        let (_, start) = content?;
        match chomp {
            Chomp::Clip => value.push('\n'),
            Chomp::Strip => {}
            Chomp::Keep => value.extend(std::iter::repeat_n('\n', breaks)),
        }
        self.count()?;
        self.pos = next_line;
        Some(string_node(value, start, end))
    }
}

fn string_node(value: String, start: usize, end: usize) -> Node {
    Node {
        kind: NodeKind::Str(value),
        span: Span::new(start, end - start),
    }
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
