//! BuildKit's parser directives (`# syntax=`, `# escape=`, `# check=`): BuildKit reads them
//! only from the lines at the top of a file (after a `#!` line), stopping at the first line
//! that is not one. A kiln file's `# syntax=` further down is ignored: `docker build` then
//! takes the file for a Dockerfile.

use crate::diagnostic::{Diagnostic, catalogue};
use crate::span::Span;

/// The directive a line holds (`syntax`, lower-cased), if it is one BuildKit knows.
fn directive(line: &str) -> Option<String> {
    let rest = line.strip_prefix('#')?.trim_start();
    let (key, value) = rest.split_once('=')?;
    let key = key.trim_end();
    let mut chars = key.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && !value.trim().is_empty();
    let key = key.to_ascii_lowercase();
    (well_formed && matches!(key.as_str(), "syntax" | "escape" | "check")).then_some(key)
}

/// A warning for a `# syntax=` line that BuildKit does not read: one written after the
/// leading directives (at the start of a line, as a comment of its own).
pub fn late_syntax_line(text: &str) -> Option<Diagnostic> {
    let text_start = text
        .strip_prefix('\u{feff}')
        .map_or(0, |_| '\u{feff}'.len_utf8());
    let mut offset = text_start;
    let mut leading = true;
    for (index, line) in text[text_start..].split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        if index == 0 && line.starts_with("#!") {
            continue;
        }
        let found = directive(line);
        if leading && found.is_some() {
            continue;
        }
        leading = false;
        if found.as_deref() == Some("syntax") {
            return Some(catalogue::late_syntax_line(
                Span::new(start, line.len()),
                index + 1,
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(text: &str) -> Option<usize> {
        late_syntax_line(text).map(|d| text[..d.labels[0].span.start].lines().count() + 1)
    }

    #[test]
    fn only_a_syntax_line_after_the_leading_directives_is_late() {
        assert_eq!(line_of("# syntax=r/kiln:1\nversion: 1\n"), None);
        assert_eq!(line_of("# check=skip=all\n#syntax = r/kiln:1\n"), None);
        assert_eq!(line_of("#!/usr/bin/env x\n# syntax=r/kiln:1\n"), None);
        assert_eq!(line_of("version: 1\n"), None);
        let schema = "# yaml-language-server: $schema=kiln.schema.json\n# syntax=r/kiln:1\n";
        assert_eq!(line_of(schema), Some(2));
        assert_eq!(line_of("\n# SYNTAX=r/kiln:1\nversion: 1\n"), Some(2));
        assert_eq!(line_of("version: 1\n# syntax=r/kiln:1\n"), Some(2));
        // Not a directive: indented (inside a block scalar), or without a value.
        assert_eq!(
            line_of("version: 1\n  # syntax=r/kiln:1\n# syntax=\n"),
            None
        );
    }
}
