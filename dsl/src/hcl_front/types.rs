//! Variable types, as bake (go-cty) has them: `type = list(number)` converts the default to
//! that type (`"99"` is a number, `["2", "3"]` a list of numbers) or is an error, and values
//! given as text (the environment, `--var`) are read in bake's forms: a list or set as CSV
//! (`a,b,c`), a map as `k:v,k2:v2`, a tuple as CSV of its element types; `NAME_JSON` in the
//! environment gives the value as JSON.

use hcl::Value;
use hcl_edit::expr::{Expression, ObjectKey};

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(Vec<(String, Type)>),
}

impl Type {
    fn primitive(&self) -> bool {
        matches!(self, Type::Any | Type::String | Type::Number | Type::Bool)
    }

    fn name(&self) -> String {
        match self {
            Type::Any => "any".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list({})", t.name()),
            Type::Set(t) => format!("set({})", t.name()),
            Type::Map(t) => format!("map({})", t.name()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
        }
    }
}

/// `string`, `list(number)`, `object({a = string})`, ...: only these literals are types
/// (bake refuses `boolean`, `BOOL` or `lower("bool")` too).
pub fn parse(expr: &Expression) -> Option<Type> {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "any" => Some(Type::Any),
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            _ => None,
        },
        Expression::FuncCall(call) => {
            let args: Vec<&Expression> = call.args.iter().collect();
            let [arg] = args.as_slice() else {
                return None;
            };
            match call.name.name.as_str() {
                "list" => parse(arg).map(|t| Type::List(Box::new(t))),
                "set" => parse(arg).map(|t| Type::Set(Box::new(t))),
                "map" => parse(arg).map(|t| Type::Map(Box::new(t))),
                "tuple" => match arg {
                    Expression::Array(items) => items
                        .iter()
                        .map(parse)
                        .collect::<Option<_>>()
                        .map(Type::Tuple),
                    _ => None,
                },
                "object" => match arg {
                    Expression::Object(fields) => fields
                        .iter()
                        .map(|(key, value)| {
                            let name = match key {
                                ObjectKey::Ident(ident) => ident.as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                                ObjectKey::Expression(_) => return None,
                            };
                            parse(value.expr()).map(|t| (name, t))
                        })
                        .collect::<Option<_>>()
                        .map(Type::Object),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// `value` converted to `ty` the way go-cty converts: numbers and bools to strings and back
/// from strings that spell them, element by element for collections. Null stays null.
pub fn convert(value: &Value, ty: &Type) -> Result<Value, String> {
    let mismatch = || format!("{} is not a {}", shown(value), ty.name());
    match (ty, value) {
        (_, Value::Null) | (Type::Any, _) => Ok(value.clone()),
        (Type::String, Value::String(_)) => Ok(value.clone()),
        (Type::String, Value::Number(n)) => Ok(Value::from(n.to_string())),
        (Type::String, Value::Bool(b)) => Ok(Value::from(b.to_string())),
        (Type::Number, Value::Number(_)) => Ok(value.clone()),
        (Type::Number, Value::String(s)) => number(s).ok_or_else(mismatch),
        (Type::Bool, Value::Bool(_)) => Ok(value.clone()),
        (Type::Bool, Value::String(s)) if s == "true" || s == "false" => {
            Ok(Value::Bool(s == "true"))
        }
        (Type::List(t), Value::Array(items)) => items
            .iter()
            .map(|v| convert(v, t))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        (Type::Set(t), Value::Array(items)) => {
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                let item = convert(item, t)?;
                if !out.contains(&item) {
                    out.push(item);
                }
            }
            Ok(Value::Array(out))
        }
        (Type::Tuple(types), Value::Array(items)) if types.len() == items.len() => types
            .iter()
            .zip(items)
            .map(|(t, v)| convert(v, t))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        (Type::Map(t), Value::Object(map)) => {
            let mut out = hcl::Map::new();
            for (k, v) in map {
                out.insert(k.clone(), convert(v, t)?);
            }
            Ok(Value::Object(out))
        }
        (Type::Object(fields), Value::Object(map)) => {
            let mut out = hcl::Map::new();
            for (name, t) in fields {
                let v = map
                    .get(name)
                    .ok_or_else(|| format!("no attribute `{name}`"))?;
                out.insert(name.clone(), convert(v, t)?);
            }
            Ok(Value::Object(out))
        }
        _ => Err(mismatch()),
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn number(text: &str) -> Option<Value> {
    let f = text.trim().parse::<f64>().ok().filter(|f| f.is_finite())?;
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return Some(Value::from(f as i64));
    }
    hcl::Number::from_f64(f).map(Value::Number)
}

/// A primitive read from text: bools as Go's ParseBool reads them (`1`, `t`, `TRUE`, ...).
fn primitive(text: &str, ty: &Type) -> Result<Value, String> {
    match ty {
        Type::Number => number(text).ok_or_else(|| format!("`{text}` is not a number")),
        Type::Bool => match text {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(Value::Bool(true)),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(Value::Bool(false)),
            _ => Err(format!("`{text}` is not true or false")),
        },
        _ => Ok(Value::from(text)),
    }
}

/// A value given as text for a variable of type `ty`, in bake's forms (see the module).
pub fn from_text(text: &str, ty: &Type) -> Result<Value, String> {
    let element = |item: &str, t: &Type| {
        if !t.primitive() {
            return Err(format!(
                "unsupported type {} for a value given as text",
                ty.name()
            ));
        }
        primitive(item, t).map_err(|e| format!("failed to parse element: {e}"))
    };
    match ty {
        Type::List(t) | Type::Set(t) => {
            let items = csv(text)?;
            let values = items
                .iter()
                .map(|i| element(i, t))
                .collect::<Result<Vec<_>, _>>()?;
            convert(&Value::Array(values), ty)
        }
        Type::Tuple(types) => {
            let items = csv(text)?;
            if items.len() != types.len() {
                return Err(format!(
                    "{} elements for a tuple of {}",
                    items.len(),
                    types.len()
                ));
            }
            let values = items.iter().zip(types).map(|(i, t)| element(i, t));
            values.collect::<Result<Vec<_>, _>>().map(Value::Array)
        }
        Type::Map(t) => {
            let mut out = hcl::Map::new();
            for pair in csv(text)? {
                let parts: Vec<&str> = pair.split(':').collect();
                let [key, value] = parts.as_slice() else {
                    return Err(format!("`{pair}`: expected one k/v pair (key:value)"));
                };
                out.insert(key.to_string(), element(value, t)?);
            }
            Ok(Value::Object(out))
        }
        Type::Object(_) => {
            Err("unsupported type object for a value given as text (give NAME_JSON)".into())
        }
        _ => primitive(text, ty),
    }
}

/// A value given as JSON (`NAME_JSON` in the environment), converted to `ty`.
pub fn from_json(text: &str, ty: &Type) -> Result<Value, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("cannot read `{text}` from JSON: {e}"))?;
    let value = hcl::to_value(json).map_err(|e| e.to_string())?;
    // JSON says what a value is: a string is not a number here, unlike in text.
    strict(&value, ty).map_err(|e| format!("from JSON: {e}"))?;
    convert(&value, ty)
}

fn strict(value: &Value, ty: &Type) -> Result<(), String> {
    let bad = || Err(format!("{} is not a {}", shown(value), ty.name()));
    match (ty, value) {
        (Type::Number, Value::Number(_))
        | (Type::Bool, Value::Bool(_))
        | (Type::String, Value::String(_)) => Ok(()),
        (Type::Number | Type::Bool | Type::String, _) => bad(),
        (Type::List(t) | Type::Set(t), Value::Array(items)) => {
            items.iter().try_for_each(|v| strict(v, t))
        }
        (Type::Tuple(types), Value::Array(items)) if types.len() == items.len() => {
            types.iter().zip(items).try_for_each(|(t, v)| strict(v, t))
        }
        (Type::Map(t), Value::Object(map)) => map.values().try_for_each(|v| strict(v, t)),
        (Type::Object(fields), Value::Object(map)) => fields
            .iter()
            .try_for_each(|(name, t)| map.get(name).map_or(Ok(()), |v| strict(v, t))),
        (Type::Any, _) => Ok(()),
        _ => bad(),
    }
}

/// Fields of one CSV record, as Go's encoding/csv reads them: `"..."` quotes a field (`""`
/// is a quote in it); a quote elsewhere, or one left open, is an error.
fn csv(text: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err(format!(
                            "cannot read `{text}` as CSV: a quote is not closed"
                        ));
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            if !matches!(chars.peek(), None | Some(',')) {
                return Err(format!(
                    "cannot read `{text}` as CSV: text after a closing quote"
                ));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '"' {
                    return Err(format!(
                        "cannot read `{text}` as CSV: a quote inside a field"
                    ));
                }
                field.push(c);
                chars.next();
            }
        }
        fields.push(field);
        if chars.next().is_none() {
            return Ok(fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_as_go_reads_it() {
        assert_eq!(csv("a,b").unwrap(), vec!["a", "b"]);
        assert_eq!(csv(r#""a,b",c"#).unwrap(), vec!["a,b", "c"]);
        assert_eq!(csv(r#""say ""hi""""#).unwrap(), vec![r#"say "hi""#]);
        assert!(csv(r#""hello,world"#).is_err());
        assert!(csv(r#"a:b,foo:"bar"#).is_err());
    }

    #[test]
    fn text_in_bake_forms() {
        let list = Type::List(Box::new(Type::Number));
        assert_eq!(
            from_text("3,1,4", &list).unwrap(),
            Value::from(vec![3, 1, 4])
        );
        assert!(
            from_text("1,1z", &list)
                .unwrap_err()
                .contains("failed to parse element")
        );
        let map = Type::Map(Box::new(Type::Number));
        assert!(
            from_text("foo:1:1", &map)
                .unwrap_err()
                .contains("one k/v pair")
        );
        assert_eq!(from_text("0", &Type::Bool).unwrap(), Value::Bool(false));
        assert!(from_json("[99, 100]", &Type::Tuple(vec![Type::Number, Type::String])).is_err());
    }
}
