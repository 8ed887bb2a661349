//! Type conversion functions: `tobool`.

use super::Result;
use super::args::string;
use hcl::Value;
use hcl::eval::FuncArgs;

pub(super) fn tobool(args: FuncArgs) -> Result<Value> {
    match &args[0] {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        Value::Null => Ok(Value::Null),
        other => Err(format!("`{}` is not a boolean", string(other)?)),
    }
}
