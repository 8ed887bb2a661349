//! Number functions: `min`, `max`, `abs`, `ceil`, `floor`.

use super::Result;
use super::args::{num, number};
use super::{declare, declare_variadic};
use hcl::Value;
use hcl::eval::FuncArgs;
use hcl::eval::{Context, ParamType};

pub(super) fn fold(args: &FuncArgs, pick: fn(f64, f64) -> f64) -> Result<Value> {
    let nums: Vec<f64> = args.iter().map(number).collect::<Result<_>>()?;
    let first = *nums.first().ok_or("at least one number is needed")?;
    Ok(num(nums.into_iter().fold(first, pick)))
}

/// Declare the number functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::Any;
    declare_variadic(ctx, "min", &[], Any, |a| fold(&a, f64::min));
    declare_variadic(ctx, "max", &[], Any, |a| fold(&a, f64::max));
    declare(ctx, "abs", &[Any], |a| Ok(num(number(&a[0])?.abs())));
    declare(ctx, "ceil", &[Any], |a| Ok(num(number(&a[0])?.ceil())));
    declare(ctx, "floor", &[Any], |a| Ok(num(number(&a[0])?.floor())));
}
