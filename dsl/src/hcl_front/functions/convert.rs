//! Type conversion functions: `tostring`, `tonumber`, `tobool`, `tolist`, `toset`.

use super::Result;
use super::args::{list, num, number, string};
use super::collections::distinct;
use super::declare;
use hcl::Value;
use hcl::eval::FuncArgs;
use hcl::eval::{Context, ParamType};

pub(super) fn tobool(args: FuncArgs) -> Result<Value> {
    match &args[0] {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        Value::Null => Ok(Value::Null),
        other => Err(format!("`{}` is not a boolean", string(other)?)),
    }
}

/// Declare the type conversion functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::Any;
    declare(ctx, "tostring", &[Any], |a| match &a[0] {
        Value::Null => Ok(Value::Null),
        v => Ok(string(v)?.into()),
    });
    declare(ctx, "tonumber", &[Any], |a| match &a[0] {
        Value::Null => Ok(Value::Null),
        v => Ok(num(number(v)?)),
    });
    declare(ctx, "tobool", &[Any], tobool);
    declare(ctx, "tolist", &[Any], |a| {
        Ok(Value::Array(list(&a[0])?.clone()))
    });
    declare(ctx, "toset", &[Any], distinct);
}
