//! The document does not fit the build-file schema: found by the decoder. `path` is where
//! in the document, as the decoder words it (`` `stages.build.steps[2]` ``, `the top level`).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest;

/// The document is empty (no YAML node at all).
pub fn empty_file() -> Diagnostic {
    Diagnostic::error(Code::EmptyFile, "the build file is empty")
        .with_label(Span::new(0, 0), "nothing here")
        .with_help("start with `version: 1` and a `stages:` map; see examples/")
}

/// A value of the wrong type: `expected` is what the schema wants ("a string", "a map"),
/// `found` what is there, as `Node::describe` says it.
pub fn type_mismatch(expected: &str, path: &str, found: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        format!("expected {expected} at {path}, found {found}"),
    )
    .with_label(span, format!("expected {expected}"))
}

/// A map key that is a list or a map.
pub fn non_string_key(path: &str, found: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        format!("map keys must be strings at {path}, found {found}"),
    )
    .with_label(span, "not a string key")
}

/// A whole number too big (or negative) for its field.
pub fn out_of_range(value: i64, path: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("{value} is out of range at {path}"),
    )
    .with_label(span, "out of range")
}

/// A word that is not one of its field's choices (`network: hots`).
pub fn invalid_choice(word: &str, path: &str, choices: &[&str], span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("`{word}` is not a valid value for {path}"),
    )
    .with_label(
        span,
        format!("expected one of {}", suggest::quoted_list(choices)),
    )
    .with_help(suggest::help_for(word, choices))
}

/// A key written twice in one map; both places are labelled.
pub fn duplicate_key(key: &str, path: &str, again: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateKey,
        format!("duplicate key `{key}` at {path}"),
    )
    .with_label(again, "written again here")
    .with_label(first, "first written here")
    .with_help("YAML maps need unique keys; remove or rename one of them")
}

/// A key the schema does not have in `what` ("a stage"), with a suggestion from `allowed`.
pub fn unknown_key(key: &str, what: &str, path: &str, span: Span, allowed: &[&str]) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownKey,
        format!("unknown key `{key}` in {what} at {path}"),
    )
    .with_label(span, "unknown key")
    .with_help(suggest::help_for(key, allowed))
}

/// A required key absent from `what` ("stage"); `span` is the map that lacks it.
pub fn missing_key(key: &str, what: &str, path: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingKey,
        format!("missing key `{key}` in {what} at {path}"),
    )
    .with_label(span, format!("this {what} has no `{key}`"))
    .with_help(format!("add `{key}:`"))
}

/// A healthcheck with neither `test` nor `disable`: [`missing_key`], with its own help.
pub fn healthcheck_without_test(path: &str, span: Span) -> Diagnostic {
    missing_key("test", "healthcheck", path, span)
        .with_help("add `test: <command>`, or `disable: true` to turn off an inherited check")
}

/// `version` other than 1.
pub fn unsupported_version(version: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnsupportedVersion,
        format!("unsupported format version {version}"),
    )
    .with_label(span, "this kiln understands version 1 only")
    .with_help("write `version: 1`")
}

/// A step or mount map naming no kind: its first key (if a string) is called an unknown
/// kind with a suggestion, or the map is called empty (`owner` is where to point then).
fn without_kind(
    what: &str,
    message: String,
    first_key: Option<(&str, Span)>,
    owner: Span,
    kinds: &[&str],
) -> Diagnostic {
    let diagnostic = Diagnostic::error(Code::UnknownKey, message);
    match first_key {
        Some((key, span)) => diagnostic
            .with_label(span, format!("`{key}` is not a {what} kind"))
            .with_help(suggest::help_for(key, kinds)),
        None => diagnostic
            .with_label(owner, format!("empty {what}"))
            .with_help(format!(
                "a {what} is a map with one of {}",
                suggest::quoted_list(kinds)
            )),
    }
}

/// A step whose keys name none of the step kinds (`kinds`).
pub fn step_without_kind(
    path: &str,
    first_key: Option<(&str, Span)>,
    owner: Span,
    kinds: &[&str],
) -> Diagnostic {
    let message = format!("this step at {path} does not say what to do");
    without_kind("step", message, first_key, owner, kinds)
}

/// A mount whose keys name none of the mount kinds (`kinds`).
pub fn mount_without_kind(
    path: &str,
    first_key: Option<(&str, Span)>,
    owner: Span,
    kinds: &[&str],
) -> Diagnostic {
    let message = format!("this mount at {path} does not say its kind");
    without_kind("mount", message, first_key, owner, kinds)
}

/// A step with two kinds (`copy` and `download`); `span` is the second one.
pub fn two_step_kinds(first: &str, second: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AmbiguousStep,
        format!("a step can do only one thing, but this one has `{first}` and `{second}`"),
    )
    .with_label(span, format!("`{second}` is a second step kind"))
    .with_help("split it into two steps, each its own `- ` list item")
}

/// A mount with two kinds (`cache` and `bind`); `span` is the second one.
pub fn two_mount_kinds(first: &str, second: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AmbiguousStep,
        format!("a mount has one kind, but this one has `{first}` and `{second}`"),
    )
    .with_label(span, "second mount kind")
    .with_help("write two mounts, each its own `- ` list item")
}

/// An argv command that is an empty list.
pub fn empty_command(path: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidValue, format!("empty command at {path}"))
        .with_label(span, "nothing to run")
        .with_help("give the program and its arguments, e.g. `[make, release]`")
}
