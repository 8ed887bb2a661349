//! Names: what stage, target, group and arg names may look like, and no target and group
//! sharing a name (`--target NAME` would be ambiguous).

use super::Checker;
use crate::diagnostic::catalogue;
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
                cx.report(catalogue::invalid_name(kind, name, name.span));
            }
        }
    }
    if let Some((name, _)) = model.stages.get_key_value("scratch") {
        cx.report(catalogue::stage_named_scratch(name.span));
    }
    for name in model.args.keys() {
        if !is_var_name(name) {
            cx.report(catalogue::invalid_arg_name(name, name.span));
        }
    }
    for (group, _) in &model.groups {
        if let Some((target, _)) = model.targets.get_key_value(group.value.as_str()) {
            let diagnostic = catalogue::target_and_group_share_name(group, group.span, target.span);
            cx.report(diagnostic);
        }
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}
