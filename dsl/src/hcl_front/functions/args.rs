//! Reading function arguments as the types a function needs, and building results within the limits.

use super::{MAX_LIST, Result};
use hcl::Value;

pub(super) fn string(v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("a null value where a string is needed".into()),
        Value::Array(_) => Err("a list where a string is needed".into()),
        Value::Object(_) => Err("an object where a string is needed".into()),
    }
}

pub(super) fn number(v: &Value) -> Result<f64> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a finite number".into()),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number")),
        _ => Err("a number is needed".into()),
    }
}

pub(super) fn integer(v: &Value) -> Result<i64> {
    let n = number(v)?;
    if n.fract() != 0.0 || n.abs() > 1e15 {
        return Err(format!("{n} is not a whole number"));
    }
    Ok(n as i64)
}

pub(super) fn list(v: &Value) -> Result<&Vec<Value>> {
    v.as_array().ok_or_else(|| "a list is needed".to_string())
}

pub(super) fn object(v: &Value) -> Result<&hcl::Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| "an object (map) is needed".to_string())
}

pub(super) fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        hcl::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

pub(super) fn bounded(items: Vec<Value>) -> Result<Value> {
    if items.len() > MAX_LIST {
        return Err(format!("a list of more than {MAX_LIST} elements"));
    }
    Ok(Value::Array(items))
}
