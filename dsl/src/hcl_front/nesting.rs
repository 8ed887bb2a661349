//! The nesting budget of HCL, checked before hcl-edit's parser recurses into brackets. Only
//! brackets of the syntax count: those in strings, heredocs and comments are text (a shell
//! script in a heredoc has as many parentheses as it likes).

use super::MAX_NESTING;
use crate::diagnostic::{Diagnostic, catalogue};
use crate::source::SourceFile;
use crate::span::Span;

/// Refuse brackets nested deeper than [`MAX_NESTING`], at the first one too deep.
pub(super) fn nesting_limit(file: &SourceFile) -> Option<Diagnostic> {
    let text = file.text.as_str();
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_quoted(bytes, i + 1),
            b'#' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => i = skip_heredoc(text, i),
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(catalogue::hcl_too_deep(MAX_NESTING, Span::new(i, 1)));
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Past a quoted string that starts at `i` (after its `"`), escapes included.
fn skip_quoted(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i + 1, // unterminated: the parser reports it
            _ => i += 1,
        }
    }
    i
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

/// Past a heredoc (`<<EOF` or `<<-EOF`, then lines up to one that is the marker alone,
/// indented for `<<-`); `<<` not followed by a marker is an operator, passed by one byte.
fn skip_heredoc(text: &str, at: usize) -> usize {
    let rest = &text[at + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let marker: &str = {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        &rest[..end]
    };
    let opens_line = rest[marker.len()..].starts_with(['\n', '\r']);
    if marker.is_empty() || !opens_line {
        return at + 1;
    }
    let body_start = text.len() - rest.len() + marker.len();
    let mut offset = body_start;
    for line in text[body_start..].split_inclusive('\n').skip(1) {
        offset += line.len();
        if line.trim() == marker {
            return offset;
        }
    }
    text.len()
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
}
