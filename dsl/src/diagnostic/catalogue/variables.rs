//! `${NAME}` references and args, and targets' cache entries (`cache_from`, `cache_to`).

use super::did_you_mean_or;
use crate::check::cache::{CACHE_TYPES, MODES, Problem, Range};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest;

/// A target's `args` entry for an arg the file does not declare.
pub fn undeclared_target_arg(
    target: &str,
    arg: &str,
    span: Span,
    near: Option<&str>,
) -> Diagnostic {
    let otherwise = format!("declare it first: `args: {{ {arg}: ... }}`");
    Diagnostic::error(
        Code::UndefinedVariable,
        format!("target `{target}` sets `{arg}`, which is not a declared arg"),
    )
    .with_label(span, "not declared in `args`")
    .with_help(did_you_mean_or(near, otherwise))
}

/// An arg no `${NAME}` uses.
pub fn unused_arg(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(Code::UnusedArg, format!("arg `{name}` is never used"))
        .with_label(span, "declared here, never referenced")
        .with_help(format!(
            "use it as `${{{name}}}`, or remove it (args are not put into the environment)"
        ))
}

/// A bare `$NAME` in an env value, which is stored literally.
pub fn bare_variable(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        Code::BareVariable,
        format!("`${name}` in an env value is stored literally"),
    )
    .with_label(span, "not replaced by kiln")
    .with_help(format!(
        "write `${{{name}}}` to use the value of `{name}`, or `$${{{name}}}`... to keep a literal `$`"
    ))
}

/// `${...}` that is not `${NAME}` or `${NAME:-default}`; `message` is the parser's.
pub fn invalid_interpolation(message: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidInterpolation, message)
        .with_label(span, "malformed reference")
        .with_help("for a shell expansion, write `$${` so kiln passes `${` through unchanged")
}

fn shell_hint(name: &str) -> String {
    format!(
        "if `{name}` is a shell variable, write `${name}` or `$${{{name}}}`: kiln only replaces `${{NAME}}`"
    )
}

/// `${NAME}` that nothing defines in `place` ("stage `app`"); `near` is a close name. For
/// a stage whose base image may define it, see [`variable_from_base_image`].
pub fn undefined_variable(name: &str, place: &str, span: Span, near: Option<&str>) -> Diagnostic {
    let help = did_you_mean_or(
        near,
        format!(
            "declare it in `args` (or `env`), or give a default: `${{{name}:-value}}`. {}",
            shell_hint(name)
        ),
    );
    Diagnostic::error(
        Code::UndefinedVariable,
        format!("`{name}` is not defined in {place}"),
    )
    .with_label(span, "undefined")
    .with_help(help)
}

/// `${NAME}` not defined by the file in a stage built on an image, whose environment may
/// define it (unknown to `kiln check`): a warning.
pub fn variable_from_base_image(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        Code::UndefinedVariable,
        format!("`{name}` is not an arg or env of this file; it must come from the base image's environment"),
    )
    .with_label(span, "unknown to kiln check")
    .with_help(format!(
        "declare it in `args` or `env`, or give a default: `${{{name}:-value}}`. {}",
        shell_hint(name)
    ))
}

/// What is wrong with a cache entry (one of the `cache_*` problems below), at `span`.
pub fn cache_problem(problem: Problem, span: Span) -> Diagnostic {
    Diagnostic::error(problem.code, problem.message)
        .with_label(span, problem.label)
        .with_help(problem.help)
}

fn invalid_cache(range: Range, message: String, label: &str, help: String) -> Problem {
    Problem {
        code: Code::InvalidCache,
        range,
        message,
        label: label.to_string(),
        help,
    }
}

/// A cache entry with a quote that does not close, or text after a closing quote.
pub fn cache_malformed_quote(range: Range) -> Problem {
    invalid_cache(
        range,
        "a cache entry has a malformed quoted field".into(),
        "unbalanced `\"`",
        "quote a whole field, as in `type=local,\"src=/a,b\"`, with `\"\"` for a quote inside it"
            .into(),
    )
}

const KEY_VALUE_HELP: &str = "write the options as `key=value` separated by commas, e.g. `type=registry,ref=localhost:5000/app:cache`; an image reference alone is short for `type=registry,ref=<reference>`";

/// A stray comma in a cache entry (an empty option).
pub fn cache_empty_option(range: Range) -> Problem {
    let message = "a cache entry has an empty option".to_string();
    invalid_cache(
        range,
        message,
        "expected `key=value`",
        KEY_VALUE_HELP.into(),
    )
}

/// An option of a cache entry that is not `key=value`.
pub fn cache_option_not_key_value(field: &str, range: Range) -> Problem {
    let message = format!("`{field}` in a cache entry is not `key=value`");
    invalid_cache(
        range,
        message,
        "expected `key=value`",
        KEY_VALUE_HELP.into(),
    )
}

/// A cache entry with options but no `type`.
pub fn cache_without_type(text: &str, range: Range) -> Problem {
    invalid_cache(
        range,
        format!("the cache entry `{text}` has no `type`"),
        "no `type=`",
        format!(
            "start it with `type=` and one of {}; an image reference alone is short for `type=registry,ref=<reference>`",
            suggest::quoted_list(CACHE_TYPES)
        ),
    )
}

/// A cache `type` that is not a BuildKit cache backend.
pub fn cache_unknown_type(kind: &str, range: Range) -> Problem {
    invalid_cache(
        range,
        format!("`{kind}` is not a cache type"),
        "not a BuildKit cache backend",
        suggest::help_for(kind, CACHE_TYPES),
    )
}

/// A cache `mode` other than `min` or `max`.
pub fn cache_invalid_mode(mode: &str, range: Range) -> Problem {
    invalid_cache(
        range,
        format!("`mode={mode}` is not a cache mode"),
        "expected `min` or `max`",
        suggest::help_for(mode, MODES),
    )
}

/// A cache without the option its backend needs (`what`: "a `registry` cache", `key`:
/// `ref`), with an `example` entry.
pub fn cache_missing_option(what: &str, key: &str, example: &str, range: Range) -> Problem {
    invalid_cache(
        range,
        format!("{what} needs `{key}`"),
        &format!("no `{key}=`"),
        format!("add `{key}=...`, e.g. `{example}`"),
    )
}

/// A registry cache's `ref` that is not an image reference; `why` says what is wrong.
pub fn cache_invalid_ref(reference: &str, why: String, range: Range) -> Problem {
    Problem {
        code: Code::InvalidImage,
        range,
        message: format!("invalid cache image reference `{reference}`"),
        label: why,
        help: "a cache image looks like `registry/name:tag`, e.g. `localhost:5000/app:cache`"
            .into(),
    }
}

/// A build arg given from outside that names no declared arg (nothing reads it).
pub fn unknown_build_arg(name: &str, near: Option<&str>) -> Diagnostic {
    let otherwise = format!("declare it (`args: {{ {name}: ... }}`) if a step should use it");
    // The suggestion goes in the message too: buildx shows a warning's message only.
    let message = match near {
        Some(near) => {
            format!("the build arg `{name}` names no arg of this file: did you mean `{near}`?")
        }
        None => format!("the build arg `{name}` names no arg of this file, so nothing uses it"),
    };
    Diagnostic::warning(Code::UnknownBuildArg, message).with_help(did_you_mean_or(near, otherwise))
}
