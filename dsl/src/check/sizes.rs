//! The interpolation budget at check time: no string may expand to more than
//! [`MAX_VALUE_BYTES`]. Sizes are added up, never built: args such as `B: ${A}${A}` that
//! double each other cost nothing to check (lowering 30 of them used to allocate 8 GiB).
//! Values known only at build time (build args, env) are bounded again when lowering.

use super::Checker;
use crate::budget::MAX_VALUE_BYTES;
use crate::diagnostic::{Diagnostic, catalogue};
use crate::interpolate::{self, Piece};
use crate::span::Sp;
use std::collections::HashMap;

/// The size each arg's default expands to (from the args before it, as lowering expands
/// them), saturating; an arg over the budget is reported at its default.
pub(super) fn arg_sizes(cx: &mut Checker<'_>) -> HashMap<String, usize> {
    let mut sizes: HashMap<String, usize> = HashMap::new();
    for (name, arg) in &cx.model.args {
        let size = match &arg.default {
            Some(default) => {
                let (size, over) = measure(default, &sizes);
                if let Some(diagnostic) = over {
                    cx.report(diagnostic);
                }
                size
            }
            None => 0,
        };
        sizes.insert(name.value.clone(), size);
    }
    sizes
}

/// The report for `value` when it expands past the budget (see [`measure`]).
pub(super) fn over_budget(
    value: &Sp<String>,
    sizes: &HashMap<String, usize>,
) -> Option<Diagnostic> {
    measure(value, sizes).1
}

/// How large `value` expands to with `sizes`, and the report when that is over the budget
/// and no arg it uses is already over it (that one carries the report).
fn measure(value: &Sp<String>, sizes: &HashMap<String, usize>) -> (usize, Option<Diagnostic>) {
    let Ok(pieces) = interpolate::parse(&value.value) else {
        return (value.value.len(), None); // malformed: reported by the variable check
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
    let over = (size > MAX_VALUE_BYTES && !inherited_excess)
        .then(|| catalogue::value_over_budget(value.span, size, MAX_VALUE_BYTES));
    (size, over)
}
