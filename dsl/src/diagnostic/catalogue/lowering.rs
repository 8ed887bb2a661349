//! Found when lowering to LLB (crate `kiln-lowering`): what needs build-time values, the
//! builder's capabilities, or the base image, which `kiln check` cannot know. Lowering also
//! uses the constructors of the checks ([`not_stage_or_image`](super::not_stage_or_image)).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// The target asked for cannot be lowered: no such target or stage, or a group (`reason`
/// says which, and what to do). There is no span: the name came from the command line.
pub fn cannot_select_target(reason: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnknownTarget, reason)
}

/// `--platform` names a platform the target does not declare (`declared`, the first of
/// them at `span`).
pub fn undeclared_platform(asked: &str, declared: &[&str], span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidPlatform,
        format!("the target does not declare platform `{asked}`"),
    )
    .with_label(span, format!("declared: {}", declared.join(", ")))
    .with_help("build one of the declared platforms, or add this one to `platforms`")
}

/// `--platform` that is not `os/arch[/variant]` (no span: it came from the command line).
pub fn invalid_platform_option(asked: &str, problem: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidPlatform,
        format!("invalid platform `{asked}`: {problem}"),
    )
}

/// `${NAME}` with no value at build time; `is_arg` when it is a declared arg (without a
/// default or `--build-arg`).
pub fn no_value_at_build(name: &str, span: Span, is_arg: bool) -> Diagnostic {
    let help = if is_arg {
        format!("the arg `{name}` has no value: pass `--build-arg {name}=...` or give it a default")
    } else {
        format!("declare `{name}` in `args` or `env`, or write `${{{name}:-default}}`")
    };
    Diagnostic::error(
        Code::UndefinedVariable,
        format!("`{name}` has no value here"),
    )
    .with_label(span, "cannot be expanded")
    .with_help(help)
}

/// A stage reached again while it is being lowered (a cycle `kiln check` could not see,
/// through `${...}`); `span` is the stage's name.
pub fn stage_depends_on_itself(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::StageCycle,
        format!("stage `{name}` depends on itself"),
    )
    .with_label(span, "part of a cycle")
}

/// A named context mapped to `docker-image://IMAGE` with an invalid image.
pub fn invalid_context_image(context: &str, image: &str, span: Span, problem: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidImage,
        format!("context `{context}` names an invalid image `{image}`"),
    )
    .with_label(span, problem)
}

/// A named context mapped to something kiln cannot use (`mapping`, e.g. `https://...`).
pub fn unsupported_context(context: &str, mapping: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnsupportedFeature,
        format!("context `{context}` is `{mapping}`, which kiln cannot use yet"),
    )
    .with_label(span, "named context")
    .with_help("pass a directory (`--build-context NAME=DIR`) or `docker-image://REF`")
}

/// A step that needs LLB capability `cap`, which the builder's BuildKit lacks; it came in
/// BuildKit `introduced_in` (`v0.10`).
pub fn unsupported_feature(cap: &str, introduced_in: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnsupportedFeature,
        format!("this builder's BuildKit lacks `{cap}`, which this step needs"),
    )
    .with_label(span, format!("needs `{cap}` (BuildKit {introduced_in} or newer)"))
    .with_help(format!(
        "build with a builder that reports `{cap}`: BuildKit {introduced_in} or newer (Docker 20.10 has v0.8; \
         a newer BuildKit can still lack a cap its worker cannot do), or avoid this feature"
    ))
}

/// A zip download with `extract: true` when the frontend image (which unzips) is unknown.
pub fn zip_needs_tool_image(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnsupportedFeature,
        "unpacking a zip archive needs the kiln frontend image, which is not known here",
    )
    .with_label(span, "a zip download with `extract: true`")
    .with_help("build through the frontend (`docker build`), or pass `kiln llb --tool-image IMAGE`")
}

/// A per-platform download `what` (`url`, `sha256`) with no entry for the platform built;
/// `arch` is its architecture, `keys` the platforms the map has.
pub fn no_download_for_platform(
    what: &str,
    platform: &str,
    arch: &str,
    keys: &[&str],
    span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::MissingKey,
        format!("no download {what} for platform `{platform}`"),
    )
    .with_label(span, format!("has {what}s for: {}", keys.join(", ")))
    .with_help(format!(
        "add `{arch}:` to the `{what}` map, or build another platform"
    ))
}

/// A path that is invalid once `${...}` is expanded; `why` says how.
pub fn invalid_path(path: &str, why: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidPath, format!("invalid path `{path}`: {why}"))
        .with_label(span, "expands to an invalid path")
        .with_help("check the args this path uses")
}

/// A copy (or bind mount) from a stage that has no files (from scratch, no steps).
pub fn empty_source(stage: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EmptySource,
        format!("stage `{stage}` has no files to copy"),
    )
    .with_label(span, "this stage is empty (from scratch, no steps)")
    .with_help("copy from a stage that creates files, or remove this step")
}

/// `packages` on a base image (`base`, as described: "`debian:12`", "scratch") without a
/// package manager kiln knows.
pub fn no_package_manager(base: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NoPackageManager,
        format!("{base} has no package manager kiln knows (apt-get, apk, dnf)"),
    )
    .with_label(span, "packages to install")
    .with_help(
        "build from an image that has one (Debian, Alpine, Fedora...), or name it with `manager:`",
    )
}
