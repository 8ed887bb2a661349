//! Input that is not a usable document: unreadable, too large, not UTF-8, not YAML, or over
//! the parser's limits. `kiln check` exits 2 on these.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The build file cannot be read (`kiln check` on a missing or unreadable path).
pub fn cannot_read(name: &str, error: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::error(Code::Io, format!("cannot read {name}: {error}"))
        .with_help("check the path and its permissions")
}

/// The build file has more bytes than `--max-file-size` allows.
pub fn too_large(size: usize, limit: usize) -> Diagnostic {
    // Readers stop one byte past the limit, so `size` may be only that much.
    let message = if size > limit + 1 {
        format!("the build file is {size} bytes, more than the limit of {limit} bytes")
    } else {
        format!("the build file is larger than the limit of {limit} bytes")
    };
    Diagnostic::error(Code::TooLarge, message).with_help(
        "split the build into smaller files (`kiln check --max-file-size BYTES` checks a larger one)",
    )
}

/// The build file is not UTF-8; `span` is the first bad byte in the lossy text.
pub fn not_utf8(span: Span) -> Diagnostic {
    Diagnostic::error(Code::NotUtf8, "the build file is not valid UTF-8")
        .with_label(span, "invalid byte here")
        .with_help("save the file as UTF-8")
}

/// A second YAML document (`---`) in a build file.
pub fn several_yaml_documents(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        "a build file holds one YAML document, this one has several",
    )
    .with_label(span, "a second document starts here")
    .with_help("remove the `---` line, or split the documents into separate files")
}

/// The YAML parser refused a tab used for indentation; `parser_message` is its words.
pub fn yaml_tabs(span: Span, parser_message: &str) -> Diagnostic {
    Diagnostic::error(Code::Syntax, "tabs are not allowed for indentation in YAML")
        .with_label(span, parser_message)
        .with_help("indent with spaces")
}

/// A YAML flow-syntax error on a line with `${`: an unquoted `${...}` inside `[...]`/`{...}`.
pub fn yaml_flow_interpolation(span: Span, parser_message: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        format!("this file is not valid YAML: {parser_message}"),
    )
    .with_label(span, parser_message)
    .with_help(
        "`${` inside `[...]` or `{...}` must be quoted, because `{` and `}` are YAML flow \
         syntax there: write the item in double quotes, e.g. `[\"registry/app:${VERSION}\"]`",
    )
}

/// Any other YAML syntax error, in the parser's words (an alias to no anchor among them).
pub fn yaml_syntax(span: Span, parser_message: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        format!("this file is not valid YAML: {parser_message}"),
    )
    .with_label(span, parser_message)
    .with_help("fix the YAML syntax at the marked position")
}

fn yaml_limit(span: Span, summary: &str) -> Diagnostic {
    Diagnostic::error(Code::Limit, summary)
        .with_label(Span::new(span.start, span.len.max(1)), "limit reached here")
        .with_help(
            "kiln refuses documents that expand to huge trees or nest deeper than its limits; \
             write the structure out plainly",
        )
}

/// More YAML aliases (`*name`) than the limits allow.
pub fn yaml_too_many_aliases(span: Span) -> Diagnostic {
    yaml_limit(span, "the YAML document uses too many aliases")
}

/// YAML nested deeper than the limits allow (also the parser's own recursion guard).
pub fn yaml_too_deep(span: Span) -> Diagnostic {
    yaml_limit(span, "the YAML document nests too deeply")
}

/// A YAML document whose aliases expand to more nodes than the limits allow.
pub fn yaml_alias_bomb(span: Span) -> Diagnostic {
    yaml_limit(
        span,
        "the YAML document is too large once its aliases are expanded (an alias bomb?)",
    )
}

/// A string whose `${...}` would expand past the value budget (`size` is saturated).
pub fn value_over_budget(span: Span, size: usize, max: usize) -> Diagnostic {
    let amount = if size == usize::MAX {
        "more than any computer holds".to_string()
    } else {
        format!("{size} bytes")
    };
    Diagnostic::error(
        Code::Limit,
        format!("this value expands to {amount}, over the limit of {} KiB for one value", max / 1024),
    )
    .with_label(span, "expands past the limit")
    .with_help("args that repeat other args multiply in size: write the value once, or keep large data in a file the build copies")
}

/// A `# syntax=` line after the first line (after the parser directives BuildKit reads
/// first): BuildKit ignores it, picks its Dockerfile frontend, and fails on `version:`.
pub fn late_syntax_line(span: Span, line: usize) -> Diagnostic {
    Diagnostic::warning(
        Code::LateSyntaxLine,
        format!(
            "`# syntax=` is on line {line}: BuildKit reads it only on the first line, so `docker build` ignores it and parses this file as a Dockerfile (`unknown instruction: VERSION:`)"
        ),
    )
    .with_label(span, "not read by BuildKit here")
    .with_help(
        "move this line to the top of the file; other comments, such as `# yaml-language-server: $schema=...`, go after it",
    )
}
