//! Semantic checks on names and references: what names may look like, stages, targets and
//! groups that name each other, cycles, and what is never used.

use super::did_you_mean_or;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A stage, target or group (`kind`) name with characters names cannot have.
pub fn invalid_name(kind: &str, name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidName,
        format!("`{name}` is not a valid {kind} name"),
    )
    .with_label(span, "invalid name")
    .with_help("names start with a letter or digit, then letters, digits, `_`, `.` or `-`")
}

/// A stage named `scratch`, which `from: scratch` means.
pub fn stage_named_scratch(span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidName, "a stage cannot be named `scratch`")
        .with_label(span, "reserved name")
        .with_help("`from: scratch` means the empty filesystem; choose another name")
}

/// An arg name `${NAME}` could not use.
pub fn invalid_arg_name(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidName,
        format!("`{name}` is not a valid arg name"),
    )
    .with_label(span, "invalid arg name")
    .with_help(
        "arg names are letters, digits and `_`, not starting with a digit, so `${NAME}` can use them",
    )
}

/// A target and a group with the same name (`--target NAME` would be ambiguous).
pub fn target_and_group_share_name(name: &str, group: Span, target: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateName,
        format!("`{name}` is both a target and a group"),
    )
    .with_label(group, "group defined here")
    .with_label(target, "target with the same name")
    .with_help("rename one of them: `--target` names must be unique")
}

/// A bare name in a `from` (`what`: "`from`", "`copy.from`", ...) that is close to a stage
/// name (`meant`): most likely a misspelt stage.
pub fn misspelt_stage(name: &str, what: &str, span: Span, meant: &str) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownStage,
        format!("unknown stage `{name}` in {what}"),
    )
    .with_label(span, "no stage has this name")
    .with_help(format!(
        "did you mean the stage `{meant}`? (to use an image of this name, write `docker.io/library/{name}`)"
    ))
}

/// A target's `stage` that names no stage; `near` is a close stage name, if any.
pub fn unknown_target_stage(
    name: &str,
    span: Span,
    near: Option<&str>,
    stages: &[&str],
) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownStage,
        format!("unknown stage `{name}` in target"),
    )
    .with_label(span, "no stage has this name")
    .with_help(did_you_mean_or(near, stage_list_help(stages)))
}

/// A `from` that is neither a stage nor an image reference; `problem` is why the reference
/// does not parse, `stages` the stage names (for the help). Also for lowering, where a
/// `from` (a stage's, a copy's or a bind mount's) is neither once `${...}` is expanded.
pub fn not_stage_or_image(name: &str, span: Span, problem: &str, stages: &[&str]) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidImage,
        format!("`{name}` is neither a stage nor a valid image reference"),
    )
    .with_label(span, problem)
    .with_help(stage_list_help(stages))
}

fn stage_list_help(stages: &[&str]) -> String {
    if stages.is_empty() {
        "write an image reference such as `localhost:5000/debian:bookworm`, or `scratch`".into()
    } else {
        let names: Vec<String> = stages.iter().map(|s| format!("`{s}`")).collect();
        format!(
            "the stages are: {}; an image reference looks like `registry/name:tag`",
            names.join(", ")
        )
    }
}

/// One diagnostic for a cycle, with a label on every edge of it (`a` uses `b` here).
/// The most members of a cycle named in its message and labelled (a generated file can make
/// a cycle of thousands; the first few say where it is).
const CYCLE_SHOWN: usize = 8;

fn cycle(code: Code, what: &str, verb: &str, help: &str, edges: &[(&str, Span)]) -> Diagnostic {
    let names: Vec<&str> = edges.iter().map(|(n, _)| *n).collect();
    let first = names.first().copied().unwrap_or_default();
    let path = if names.len() > CYCLE_SHOWN {
        let shown = names[..CYCLE_SHOWN].join(" → ");
        format!("{shown} → … ({} more) → {first}", names.len() - CYCLE_SHOWN)
    } else {
        format!("{} → {first}", names.join(" → "))
    };
    let message = format!("{what} in a cycle: {path}");
    let mut diagnostic = Diagnostic::error(code, message).with_help(help);
    for (i, (name, span)) in edges.iter().enumerate().take(CYCLE_SHOWN) {
        let next = names[(i + 1) % names.len()];
        diagnostic = diagnostic.with_label(*span, format!("`{name}` {verb} `{next}` here"));
    }
    diagnostic
}

/// Stages that use each other in a cycle: each stage with the span where it uses the next.
pub fn stage_cycle(edges: &[(&str, Span)]) -> Diagnostic {
    cycle(
        Code::StageCycle,
        "stages depend on each other",
        "uses",
        "a stage cannot use itself, directly or through other stages; break the cycle",
        edges,
    )
}

/// Groups that contain each other in a cycle: each group with the span of its next member.
pub fn group_cycle(edges: &[(&str, Span)]) -> Diagnostic {
    cycle(
        Code::GroupCycle,
        "groups contain each other",
        "contains",
        "a group cannot contain itself, directly or through other groups",
        edges,
    )
}

/// A group with no members.
pub fn empty_group(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::EmptyGroup, format!("group `{name}` has no targets"))
        .with_label(span, "empty group")
        .with_help("list the targets it builds, or remove the group")
}

/// A group member that names no target, group or stage; `near` is a close name, if any.
pub fn unknown_group_member(
    member: &str,
    group: &str,
    span: Span,
    near: Option<&str>,
) -> Diagnostic {
    let otherwise = "a group lists targets, other groups, or stages".to_string();
    Diagnostic::error(
        Code::UnknownTarget,
        format!("unknown target `{member}` in group `{group}`"),
    )
    .with_label(span, "no target, group or stage has this name")
    .with_help(did_you_mean_or(near, otherwise))
}

/// With targets declared, a stage that no target or group reaches.
pub fn unused_stage(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        Code::UnusedStage,
        format!("stage `{name}` is not used by any target"),
    )
    .with_label(span, "never built")
    .with_help("add a target for it, use it from another stage, or remove it")
}

/// `--strict`: an image used by tag, not pinned by digest.
pub fn unpinned_image(image: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        Code::UnpinnedImage,
        format!("`{image}` is not pinned by digest"),
    )
    .with_label(span, "a tag can point at other content tomorrow")
    .with_help(format!(
        "pin it: `{image}@sha256:<digest>` (the digest `docker buildx imagetools inspect` shows)"
    ))
}
