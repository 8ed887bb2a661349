//! Boolean and comparison functions: `not`, `and`, `or`, `equal`, `notequal`.

use super::declare;
use hcl::Value;
use hcl::eval::{Context, ParamType};

/// Declare the boolean and comparison functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::Any;
    declare(ctx, "not", &[ParamType::Bool], |a| {
        Ok((a[0] != Value::Bool(true)).into())
    });
    declare(ctx, "and", &[ParamType::Bool, ParamType::Bool], |a| {
        Ok((a[0] == Value::Bool(true) && a[1] == Value::Bool(true)).into())
    });
    declare(ctx, "or", &[ParamType::Bool, ParamType::Bool], |a| {
        Ok((a[0] == Value::Bool(true) || a[1] == Value::Bool(true)).into())
    });
    declare(ctx, "equal", &[Any, Any], |a| Ok((a[0] == a[1]).into()));
    declare(ctx, "notequal", &[Any, Any], |a| Ok((a[0] != a[1]).into()));
}
