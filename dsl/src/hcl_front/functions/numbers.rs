//! Number functions: `min` and `max` over their arguments.

use super::Result;
use super::args::{num, number};
use hcl::Value;
use hcl::eval::FuncArgs;

pub(super) fn fold(args: &FuncArgs, pick: fn(f64, f64) -> f64) -> Result<Value> {
    let nums: Vec<f64> = args.iter().map(number).collect::<Result<_>>()?;
    let first = *nums.first().ok_or("at least one number is needed")?;
    Ok(num(nums.into_iter().fold(first, pick)))
}
