//! The nesting budget of HCL, checked before hcl-edit's parser recurses into brackets. Only
//! brackets of the syntax count, and each `${`/`%{` of a template: those in strings, heredocs
//! and comments are text (a shell script in a heredoc has as many parentheses as it likes),
//! but an expression inside a string's or a heredoc's `${...}` is syntax again.
//!
//! The budget is small because of how the parser fails: when an operand after a second
//! binary operator does not parse (`a + b + c[...broken...]`), hcl-edit 0.10's `binary_ops`
//! rewinds and the enclosing level parses it again, so the time doubles with every such
//! level (measured in release: 16 nested `a+b+c[` with an error inside, 150 bytes, 70 ms; a
//! fuzzed 3.7 KB file of 16 levels, 175 ms; 20 levels, over a second; 64, the earlier budget,
//! would never end). Valid files parse in linear time. At 12 levels the worst found is 16
//! times cheaper; the cure is upstream.

use super::MAX_NESTING;
use crate::diagnostic::{Diagnostic, catalogue};
use crate::source::SourceFile;
use crate::span::Span;

/// Where the scan is.
enum Frame {
    /// An expression; `template` when a `${`/`%{` opened it (a `}` ends it), `open` its
    /// brackets.
    Expr {
        template: bool,
        open: usize,
    },
    Quoted,
    /// A heredoc's lines, up to the line that is its marker alone.
    Heredoc {
        marker: String,
    },
}

struct Scan<'a> {
    text: &'a str,
    frames: Vec<Frame>,
    /// Brackets and templates open around the current position.
    depth: usize,
}

/// Refuse brackets nested deeper than [`MAX_NESTING`], at the first one too deep.
pub(super) fn nesting_limit(file: &SourceFile) -> Option<Diagnostic> {
    let mut scan = Scan {
        text: file.text.as_str(),
        frames: vec![Frame::Expr {
            template: false,
            open: 0,
        }],
        depth: 0,
    };
    let mut i = 0;
    while i < scan.text.len() {
        let (next, opened) = match scan.frames.last() {
            Some(Frame::Expr { .. }) => scan.expression_step(i),
            Some(Frame::Quoted) => scan.quoted_step(i),
            Some(Frame::Heredoc { .. }) => scan.heredoc_step(i),
            None => return None,
        };
        if opened && scan.depth > MAX_NESTING {
            return Some(catalogue::hcl_too_deep(MAX_NESTING, Span::new(i, 1)));
        }
        i = next;
    }
    None
}

impl Scan<'_> {
    fn byte(&self, i: usize) -> u8 {
        self.text.as_bytes().get(i).copied().unwrap_or(0)
    }

    fn push(&mut self, frame: Frame) {
        if matches!(frame, Frame::Expr { .. }) {
            self.depth += 1;
        }
        self.frames.push(frame);
    }

    /// One step in an expression: the next position, and whether a level opened.
    fn expression_step(&mut self, i: usize) -> (usize, bool) {
        let bytes = self.text.as_bytes();
        match (bytes[i], self.byte(i + 1)) {
            (b'"', _) => {
                self.frames.push(Frame::Quoted);
                (i + 1, false)
            }
            (b'#', _) | (b'/', b'/') => (line_end(bytes, i), false),
            (b'/', b'*') => {
                let end = self.text[i + 2..].find("*/");
                (end.map_or(bytes.len(), |end| i + 2 + end + 2), false)
            }
            (b'<', b'<') => match heredoc_start(self.text, i) {
                Some((marker, body)) => {
                    self.frames.push(Frame::Heredoc { marker });
                    (body, false)
                }
                None => (i + 2, false),
            },
            (b'(' | b'[' | b'{', _) => {
                if let Some(Frame::Expr { open, .. }) = self.frames.last_mut() {
                    *open += 1;
                }
                self.depth += 1;
                (i + 1, true)
            }
            (b')' | b']' | b'}', _) => {
                let closes_template = matches!(
                    self.frames.last(),
                    Some(Frame::Expr {
                        template: true,
                        open: 0
                    })
                );
                if closes_template {
                    self.frames.pop();
                } else if let Some(Frame::Expr { open, .. }) = self.frames.last_mut() {
                    *open = open.saturating_sub(1);
                }
                self.depth = self.depth.saturating_sub(1);
                (i + 1, false)
            }
            _ => (i + 1, false),
        }
    }

    /// A `${` or `%{` at `i` opens an expression (`$${` and `%%{` are text).
    fn template_step(&mut self, i: usize) -> Option<(usize, bool)> {
        let (first, second) = (self.byte(i), self.byte(i + 1));
        if !matches!(first, b'$' | b'%') {
            return None;
        }
        if second == first && self.byte(i + 2) == b'{' {
            return Some((i + 3, false));
        }
        if second != b'{' {
            return None;
        }
        self.push(Frame::Expr {
            template: true,
            open: 0,
        });
        Some((i + 2, true))
    }

    fn quoted_step(&mut self, i: usize) -> (usize, bool) {
        if let Some(step) = self.template_step(i) {
            return step;
        }
        match self.byte(i) {
            b'\\' => (i + 2, false),
            // The end, or an unterminated string (the parser reports it).
            b'"' | b'\n' => {
                self.frames.pop();
                (i + 1, false)
            }
            _ => (i + 1, false),
        }
    }

    fn heredoc_step(&mut self, i: usize) -> (usize, bool) {
        let bytes = self.text.as_bytes();
        if i == 0 || bytes[i - 1] == b'\n' {
            let end = line_end(bytes, i);
            let is_marker = matches!(self.frames.last(),
                Some(Frame::Heredoc { marker }) if self.text[i..end].trim() == marker);
            if is_marker {
                self.frames.pop();
                return (end, false);
            }
        }
        self.template_step(i).unwrap_or((i + 1, false))
    }
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// A heredoc's marker and the start of its first line, when `<<` at `at` opens one (`<<EOF`
/// or `<<-EOF`, then the line's end); else `<<` is an operator.
fn heredoc_start(text: &str, at: usize) -> Option<(String, usize)> {
    let rest = &text[at + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let marker = &rest[..end];
    let after = &rest[end..];
    let break_len = if after.starts_with("\r\n") { 2 } else { 1 };
    if marker.is_empty() || !after.starts_with(['\n', '\r']) {
        return None;
    }
    let body = text.len() - after.len() + break_len;
    Some((marker.to_string(), body.min(text.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(text: &str) -> Option<Diagnostic> {
        nesting_limit(&SourceFile::new("f.kiln.hcl", text))
    }

    #[test]
    fn brackets_in_heredocs_strings_and_comments_are_text() {
        let deep = "(".repeat(MAX_NESTING + 1);
        for text in [
            format!("x = <<EOF\n{deep}\nEOF\n"),
            format!("x = <<-EOT\n  {deep}\n  EOT\n"),
            format!("x = \"{deep}\"\n"),
            format!("# {deep}\nx = 1\n"),
            format!("// {deep}\nx = 1\n"),
            format!("/* {deep}\n */ x = 1\n"),
        ] {
            assert!(limit(&text).is_none(), "{text}");
        }
    }

    #[test]
    fn brackets_of_the_syntax_count_even_after_a_heredoc() {
        let deep = "[".repeat(MAX_NESTING + 1);
        let text = format!("x = <<EOF\n(((\nEOF\ny = {deep}\n");
        let found = limit(&text).expect("too deep");
        assert_eq!(found.position(), text.find('[').unwrap() + MAX_NESTING);
        assert!(limit(&format!("y = {}\n", "[".repeat(MAX_NESTING))).is_none());
    }

    /// The fuzzer's find: the parser's time doubles per level on a broken expression, and a
    /// string's `${` used to hide its levels from the count.
    #[test]
    fn levels_inside_templates_count() {
        let levels = MAX_NESTING / 2 + 1;
        for text in [
            format!(
                "x = {}1{}\n",
                "\"${a+b+".repeat(levels * 2),
                "}\"".repeat(levels * 2)
            ),
            format!("x = <<EOF\n${{{}\nEOF\n", "a+b+[".repeat(MAX_NESTING)),
            format!("x = \"%{{ if {} }}\"\n", "(".repeat(MAX_NESTING)),
        ] {
            assert!(limit(&text).is_some(), "{text}");
        }
        // Escaped templates are text; a heredoc's `${` ends with its `}`.
        let deep = "(".repeat(MAX_NESTING + 1);
        assert!(limit(&format!("x = \"$${{{deep}\"\n")).is_none());
        assert!(limit(&format!("x = <<EOF\n${{a}} {deep}\nEOF\n")).is_none());
    }
}
