//! The interpolation budget at check time: no string may expand to more than
//! [`MAX_VALUE_BYTES`]. Sizes are added up, never built: args such as `B: ${A}${A}` that
//! double each other cost nothing to check (lowering 30 of them used to allocate 8 GiB).
//! Values known only at build time (build args, env) are bounded again when lowering.

use super::Checker;
use crate::budget::MAX_VALUE_BYTES;
use crate::diagnostic::catalogue;
use crate::interpolate::{self, Piece};
use crate::span::Sp;
use std::collections::HashMap;

/// The size each arg's default expands to (from the args before it, as lowering expands
/// them), saturating; an arg over the budget is reported at its default.
pub(super) fn arg_sizes(cx: &mut Checker<'_>) -> HashMap<String, usize> {
    let mut sizes: HashMap<String, usize> = HashMap::new();
    for (name, arg) in &cx.model.args {
        let size = match &arg.default {
            Some(default) => check_value(cx, default, &sizes),
            None => 0,
        };
        sizes.insert(name.value.clone(), size);
    }
    sizes
}

/// How large `value` expands to with `sizes`; reported when that is over the budget and no
/// arg it uses is already over it (that one carries the report).
pub(super) fn check_value(
    cx: &mut Checker<'_>,
    value: &Sp<String>,
    sizes: &HashMap<String, usize>,
) -> usize {
    let Ok(pieces) = interpolate::parse(&value.value) else {
        return value.value.len(); // malformed: reported by the variable check
    };
    let mut size = 0usize;
    let mut inherited_excess = false;
    for piece in &pieces {
        let piece_size = match piece {
            Piece::Text(text) => text.len(),
            Piece::Var(var) => match sizes.get(var.name) {
                Some(&arg) => {
                    inherited_excess |= arg > MAX_VALUE_BYTES;
                    arg
                }
                // Env and platform values are known when lowering, which bounds them.
                None => var.default.map_or(0, str::len),
            },
        };
        size = size.saturating_add(piece_size);
    }
    if size > MAX_VALUE_BYTES && !inherited_excess {
        cx.report(catalogue::value_over_budget(
            value.span,
            size,
            MAX_VALUE_BYTES,
        ));
    }
    size
}
