//! Names: what stage, target, group and arg names may look like, and no target and group
//! sharing a name (`--target NAME` would be ambiguous).

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::interpolate::is_var_name;

pub(super) fn check(cx: &mut Checker<'_>) {
    let model = cx.model;
    for (kind, names) in [
        ("stage", model.stages.keys().collect::<Vec<_>>()),
        ("target", model.targets.keys().collect()),
        ("group", model.groups.keys().collect()),
    ] {
        for name in names {
            if !is_name(name) {
                cx.report(
                    Diagnostic::error(
                        Code::InvalidName,
                        format!("`{}` is not a valid {kind} name", name.value),
                    )
                    .with_label(name.span, "invalid name")
                    .with_help(
                        "names start with a letter or digit, then letters, digits, `_`, `.` or `-`",
                    ),
                );
            }
        }
    }
    if let Some((name, _)) = model.stages.get_key_value("scratch") {
        cx.report(
            Diagnostic::error(Code::InvalidName, "a stage cannot be named `scratch`")
                .with_label(name.span, "reserved name")
                .with_help("`from: scratch` means the empty filesystem; choose another name"),
        );
    }
    for name in model.args.keys() {
        if !is_var_name(name) {
            cx.report(
                Diagnostic::error(Code::InvalidName, format!("`{}` is not a valid arg name", name.value))
                    .with_label(name.span, "invalid arg name")
                    .with_help("arg names are letters, digits and `_`, not starting with a digit, so `${NAME}` can use them"),
            );
        }
    }
    for (group, _) in &model.groups {
        if let Some((target, _)) = model.targets.get_key_value(group.value.as_str()) {
            cx.report(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("`{}` is both a target and a group", group.value),
                )
                .with_label(group.span, "group defined here")
                .with_label(target.span, "target with the same name")
                .with_help("rename one of them: `--target` names must be unique"),
            );
        }
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}
