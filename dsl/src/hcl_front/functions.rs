//! The functions HCL build files can call: the string, collection, encoding and hash
//! functions `docker buildx bake` users reach for (go-cty's standard library, reimplemented),
//! and the file's own `function` blocks. Nothing here reads the clock, the network or the
//! disk, so a file evaluates the same way every time.

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};

/// Lists made by functions (`range`, `split`, ...) stay below this many elements.
pub const MAX_LIST: usize = 1_000;
/// A value (a variable's, a function's result, an attribute's) is at most this big, so no
/// file can make kiln build huge strings or lists (`a = "${b}${b}"`, `b = "${c}${c}"`, ...).
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// An error when `value` is bigger than `MAX_VALUE_BYTES`.
pub fn check_size(value: &Value) -> Result<()> {
    fn size(value: &Value, budget: usize) -> usize {
        match value {
            Value::String(s) => s.len(),
            Value::Array(items) => items
                .iter()
                .fold(8, |n, v| if n > budget { n } else { n + size(v, budget) }),
            Value::Object(map) => map.iter().fold(8, |n, (k, v)| {
                if n > budget {
                    n
                } else {
                    n + k.len() + size(v, budget)
                }
            }),
            _ => 8,
        }
    }
    if size(value, MAX_VALUE_BYTES) > MAX_VALUE_BYTES {
        return Err(format!(
            "a value bigger than {} KiB",
            MAX_VALUE_BYTES / 1024
        ));
    }
    Ok(())
}

type Result<T> = std::result::Result<T, String>;

fn string(v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("a null value where a string is needed".into()),
        Value::Array(_) => Err("a list where a string is needed".into()),
        Value::Object(_) => Err("an object where a string is needed".into()),
    }
}

fn number(v: &Value) -> Result<f64> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a finite number".into()),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number")),
        _ => Err("a number is needed".into()),
    }
}

fn integer(v: &Value) -> Result<i64> {
    let n = number(v)?;
    if n.fract() != 0.0 || n.abs() > 1e15 {
        return Err(format!("{n} is not a whole number"));
    }
    Ok(n as i64)
}

fn list(v: &Value) -> Result<&Vec<Value>> {
    v.as_array().ok_or_else(|| "a list is needed".to_string())
}

fn object(v: &Value) -> Result<&hcl::Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| "an object (map) is needed".to_string())
}

fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        hcl::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

fn bounded(items: Vec<Value>) -> Result<Value> {
    if items.len() > MAX_LIST {
        return Err(format!("a list of more than {MAX_LIST} elements"));
    }
    Ok(Value::Array(items))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn regex(pattern: &str) -> Result<regex_lite::Regex> {
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))
}

/// `format("%s-%d", a, b)`: Go's verbs %s %d %v %q %f %%.
fn format(args: FuncArgs) -> Result<Value> {
    let spec = string(&args[0])?;
    let mut values = args.iter().skip(1);
    let mut out = String::new();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next().ok_or("`format` ends with a lone %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let value = values
            .next()
            .ok_or_else(|| format!("`format` has more verbs than values (at %{verb})"))?;
        match verb {
            's' | 'v' => match value {
                Value::Array(_) | Value::Object(_) => out.push_str(&json(value)?),
                other => out.push_str(&string(other)?),
            },
            'd' => out.push_str(&integer(value)?.to_string()),
            'f' => out.push_str(&format!("{:.6}", number(value)?)),
            'q' => out.push_str(&json(&Value::String(string(value)?))?),
            other => return Err(format!("`format` does not know the verb %{other}")),
        }
    }
    if values.next().is_some() {
        return Err("`format` has more values than verbs".into());
    }
    Ok(Value::String(out))
}

fn json(value: &Value) -> Result<String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

fn jsondecode(args: FuncArgs) -> Result<Value> {
    let text = string(&args[0])?;
    let parsed: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    hcl::to_value(parsed).map_err(|e| e.to_string())
}

fn base64decode(args: FuncArgs) -> Result<Value> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(string(&args[0])?)
        .map_err(|e| format!("not valid base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the decoded bytes are not UTF-8".into())
}

fn replace(args: FuncArgs) -> Result<Value> {
    let (s, find, with) = (string(&args[0])?, string(&args[1])?, string(&args[2])?);
    // As in Terraform and bake: a substring written `/.../` is a regular expression.
    if find.len() >= 2 && find.starts_with('/') && find.ends_with('/') {
        let re = regex(&find[1..find.len() - 1])?;
        return Ok(Value::String(
            re.replace_all(&s, with.as_str()).into_owned(),
        ));
    }
    Ok(Value::String(s.replace(&find, &with)))
}

fn regex_replace(args: FuncArgs) -> Result<Value> {
    let (s, pattern, with) = (string(&args[0])?, string(&args[1])?, string(&args[2])?);
    Ok(Value::String(
        regex(&pattern)?.replace_all(&s, with.as_str()).into_owned(),
    ))
}

/// The match as a string, or its groups (a list, or an object for named groups).
fn captures(re: &regex_lite::Regex, caps: &regex_lite::Captures<'_>) -> Value {
    if re.captures_len() == 1 {
        return Value::String(caps[0].to_string());
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let text = |i: usize| caps.get(i).map_or(Value::Null, |m| m.as_str().into());
    if names.iter().all(Option::is_some) {
        let map = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.unwrap_or_default().to_string(), text(i + 1)))
            .collect();
        return Value::Object(map);
    }
    Value::Array((1..re.captures_len()).map(text).collect())
}

fn regex_fn(args: FuncArgs) -> Result<Value> {
    let re = regex(&string(&args[0])?)?;
    let s = string(&args[1])?;
    let caps = re.captures(&s).ok_or("the pattern does not match")?;
    Ok(captures(&re, &caps))
}

fn regexall(args: FuncArgs) -> Result<Value> {
    let re = regex(&string(&args[0])?)?;
    let s = string(&args[1])?;
    bounded(re.captures_iter(&s).map(|c| captures(&re, &c)).collect())
}

fn split(args: FuncArgs) -> Result<Value> {
    let (sep, s) = (string(&args[0])?, string(&args[1])?);
    if sep.is_empty() {
        return Err("`split` needs a non-empty separator".into());
    }
    bounded(s.split(sep.as_str()).map(Value::from).collect())
}

fn join(args: FuncArgs) -> Result<Value> {
    let sep = string(&args[0])?;
    let mut parts = Vec::new();
    for l in args.iter().skip(1) {
        for v in list(l)? {
            parts.push(string(v)?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

fn substr(args: FuncArgs) -> Result<Value> {
    let s: Vec<char> = string(&args[0])?.chars().collect();
    let offset = integer(&args[1])?;
    let length = integer(&args[2])?;
    let len = s.len() as i64;
    let start = if offset < 0 { len + offset } else { offset }.clamp(0, len);
    let end = if length < 0 {
        len
    } else {
        (start + length).min(len)
    };
    Ok(Value::String(
        s[start as usize..end as usize].iter().collect(),
    ))
}

fn trim(args: FuncArgs) -> Result<Value> {
    let (s, cut) = (string(&args[0])?, string(&args[1])?);
    Ok(Value::String(
        s.trim_matches(|c| cut.contains(c)).to_string(),
    ))
}

fn indent(args: FuncArgs) -> Result<Value> {
    let spaces = " ".repeat(integer(&args[0])?.clamp(0, 64) as usize);
    let s = string(&args[1])?;
    Ok(Value::String(s.replace('\n', &format!("\n{spaces}"))))
}

fn title(args: FuncArgs) -> Result<Value> {
    let s = string(&args[0])?;
    let mut out = String::new();
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    Ok(Value::String(out))
}

fn length(args: FuncArgs) -> Result<Value> {
    let n = match &args[0] {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        Value::String(s) => s.chars().count(),
        _ => return Err("`length` takes a list, an object or a string".into()),
    };
    Ok(Value::from(n as i64))
}

fn concat(args: FuncArgs) -> Result<Value> {
    let mut out = Vec::new();
    for l in args.iter() {
        out.extend(list(l)?.iter().cloned());
    }
    bounded(out)
}

fn contains(args: FuncArgs) -> Result<Value> {
    Ok(Value::Bool(list(&args[0])?.contains(&args[1])))
}

fn coalesce(args: FuncArgs) -> Result<Value> {
    args.iter()
        .find(|v| !matches!(v, Value::Null) && **v != Value::String(String::new()))
        .cloned()
        .ok_or_else(|| "`coalesce`: every argument is null or empty".into())
}

fn coalescelist(args: FuncArgs) -> Result<Value> {
    for l in args.iter() {
        if !list(l)?.is_empty() {
            return Ok(l.clone());
        }
    }
    Err("`coalescelist`: every list is empty".into())
}

fn lookup(args: FuncArgs) -> Result<Value> {
    let map = object(&args[0])?;
    let key = string(&args[1])?;
    match (map.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("`lookup`: no key `{key}` and no default")),
    }
}

fn merge(args: FuncArgs) -> Result<Value> {
    let mut out = hcl::Map::new();
    for m in args.iter() {
        if matches!(m, Value::Null) {
            continue;
        }
        for (k, v) in object(m)? {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

fn keys(args: FuncArgs) -> Result<Value> {
    let mut keys: Vec<String> = object(&args[0])?.keys().cloned().collect();
    keys.sort();
    Ok(Value::Array(keys.into_iter().map(Value::from).collect()))
}

fn values(args: FuncArgs) -> Result<Value> {
    let map = object(&args[0])?;
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    Ok(Value::Array(
        keys.into_iter().map(|k| map[k].clone()).collect(),
    ))
}

fn element(args: FuncArgs) -> Result<Value> {
    let l = list(&args[0])?;
    if l.is_empty() {
        return Err("`element` of an empty list".into());
    }
    let i = integer(&args[1])?;
    if i < 0 {
        return Err("`element` takes an index of 0 or more".into());
    }
    Ok(l[i as usize % l.len()].clone())
}

fn index(args: FuncArgs) -> Result<Value> {
    let l = list(&args[0])?;
    l.iter()
        .position(|v| *v == args[1])
        .map(|i| Value::from(i as i64))
        .ok_or_else(|| "`index`: the value is not in the list".into())
}

fn flatten_into(value: &Value, out: &mut Vec<Value>, depth: usize) -> Result<()> {
    if depth > 32 {
        return Err("`flatten`: lists nest too deeply".into());
    }
    match value {
        Value::Array(items) => {
            for item in items {
                flatten_into(item, out, depth + 1)?;
            }
            Ok(())
        }
        other => {
            out.push(other.clone());
            Ok(())
        }
    }
}

fn flatten(args: FuncArgs) -> Result<Value> {
    let mut out = Vec::new();
    for item in list(&args[0])? {
        flatten_into(item, &mut out, 0)?;
    }
    bounded(out)
}

fn distinct(args: FuncArgs) -> Result<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in list(&args[0])? {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::Array(out))
}

fn reverse(args: FuncArgs) -> Result<Value> {
    Ok(Value::Array(
        list(&args[0])?.iter().rev().cloned().collect(),
    ))
}

fn sort(args: FuncArgs) -> Result<Value> {
    let mut items: Vec<String> = list(&args[0])?.iter().map(string).collect::<Result<_>>()?;
    items.sort();
    Ok(Value::Array(items.into_iter().map(Value::from).collect()))
}

fn compact(args: FuncArgs) -> Result<Value> {
    Ok(Value::Array(
        list(&args[0])?
            .iter()
            .filter(|v| !matches!(v, Value::Null) && **v != Value::String(String::new()))
            .cloned()
            .collect(),
    ))
}

fn slice(args: FuncArgs) -> Result<Value> {
    let l = list(&args[0])?;
    let (start, end) = (integer(&args[1])?, integer(&args[2])?);
    if start < 0 || end < start || end as usize > l.len() {
        return Err(format!(
            "`slice` from {start} to {end} of a list of {}",
            l.len()
        ));
    }
    Ok(Value::Array(l[start as usize..end as usize].to_vec()))
}

fn range(args: FuncArgs) -> Result<Value> {
    let nums: Vec<f64> = args.iter().map(number).collect::<Result<_>>()?;
    let (start, end, step) = match nums.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err("`range` takes 1 to 3 numbers".into()),
    };
    if step == 0.0 {
        return Err("`range` with a step of 0".into());
    }
    let count = ((end - start) / step).ceil();
    if count > MAX_LIST as f64 {
        return Err(format!("`range` of more than {MAX_LIST} numbers"));
    }
    let count = count.max(0.0) as usize;
    Ok(Value::Array(
        (0..count).map(|i| num(start + step * i as f64)).collect(),
    ))
}

fn zipmap(args: FuncArgs) -> Result<Value> {
    let (k, v) = (list(&args[0])?, list(&args[1])?);
    if k.len() != v.len() {
        return Err("`zipmap` takes two lists of the same length".into());
    }
    let mut out = hcl::Map::new();
    for (key, value) in k.iter().zip(v) {
        out.insert(string(key)?, value.clone());
    }
    Ok(Value::Object(out))
}

fn fold(args: &FuncArgs, pick: fn(f64, f64) -> f64) -> Result<Value> {
    let nums: Vec<f64> = args.iter().map(number).collect::<Result<_>>()?;
    let first = *nums.first().ok_or("at least one number is needed")?;
    Ok(num(nums.into_iter().fold(first, pick)))
}

fn tobool(args: FuncArgs) -> Result<Value> {
    match &args[0] {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        Value::Null => Ok(Value::Null),
        other => Err(format!("`{}` is not a boolean", string(other)?)),
    }
}

fn no_clock(_: FuncArgs) -> Result<Value> {
    Err("kiln files evaluate the same way every time: no clock or random functions; pass the value as a variable (`--var NAME=...`)".into())
}

fn declare(ctx: &mut Context<'_>, name: &str, params: &[ParamType], f: hcl::eval::Func) {
    ctx.declare_func(name, FuncDef::new(f, params.to_vec()));
}

fn declare_variadic(
    ctx: &mut Context<'_>,
    name: &str,
    params: &[ParamType],
    rest: ParamType,
    f: hcl::eval::Func,
) {
    let def = FuncDef::builder()
        .params(params.to_vec())
        .variadic_param(rest)
        .build(f);
    ctx.declare_func(name, def);
}

/// Every built-in function, declared in `ctx`.
pub fn declare_builtins(ctx: &mut Context<'_>) {
    use ParamType::{Any, String as Str};
    declare(ctx, "lower", &[Str], |a| {
        Ok(string(&a[0])?.to_lowercase().into())
    });
    declare(ctx, "upper", &[Str], |a| {
        Ok(string(&a[0])?.to_uppercase().into())
    });
    declare(ctx, "title", &[Str], title);
    declare(ctx, "trimspace", &[Str], |a| {
        Ok(string(&a[0])?.trim().to_string().into())
    });
    declare(ctx, "chomp", &[Str], |a| {
        Ok(string(&a[0])?
            .trim_end_matches(['\n', '\r'])
            .to_string()
            .into())
    });
    declare(ctx, "trimprefix", &[Str, Str], |a| {
        let (s, p) = (string(&a[0])?, string(&a[1])?);
        Ok(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string().into())
    });
    declare(ctx, "trimsuffix", &[Str, Str], |a| {
        let (s, p) = (string(&a[0])?, string(&a[1])?);
        Ok(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string().into())
    });
    declare(ctx, "trim", &[Str, Str], trim);
    declare(ctx, "startswith", &[Str, Str], |a| {
        Ok(string(&a[0])?.starts_with(&string(&a[1])?).into())
    });
    declare(ctx, "endswith", &[Str, Str], |a| {
        Ok(string(&a[0])?.ends_with(&string(&a[1])?).into())
    });
    declare(ctx, "strcontains", &[Str, Str], |a| {
        Ok(string(&a[0])?.contains(&string(&a[1])?).into())
    });
    declare(ctx, "substr", &[Str, Any, Any], substr);
    declare(ctx, "indent", &[Any, Str], indent);
    declare(ctx, "replace", &[Str, Str, Str], replace);
    declare(ctx, "regex_replace", &[Str, Str, Str], regex_replace);
    declare(ctx, "regex", &[Str, Str], regex_fn);
    declare(ctx, "regexall", &[Str, Str], regexall);
    declare(ctx, "split", &[Str, Str], split);
    declare_variadic(ctx, "format", &[Str], Any, format);
    declare_variadic(ctx, "join", &[Str], Any, join);
    declare(ctx, "length", &[Any], length);
    declare_variadic(ctx, "concat", &[], Any, concat);
    declare(ctx, "contains", &[Any, Any], contains);
    declare_variadic(ctx, "coalesce", &[], Any, coalesce);
    declare_variadic(ctx, "coalescelist", &[], Any, coalescelist);
    declare_variadic(ctx, "lookup", &[Any, Str], Any, lookup);
    declare_variadic(ctx, "merge", &[], Any, merge);
    declare(ctx, "keys", &[Any], keys);
    declare(ctx, "values", &[Any], values);
    declare(ctx, "element", &[Any, Any], element);
    declare(ctx, "index", &[Any, Any], index);
    declare(ctx, "flatten", &[Any], flatten);
    declare(ctx, "distinct", &[Any], distinct);
    declare(ctx, "reverse", &[Any], reverse);
    declare(ctx, "sort", &[Any], sort);
    declare(ctx, "compact", &[Any], compact);
    declare(ctx, "slice", &[Any, Any, Any], slice);
    declare_variadic(ctx, "range", &[], Any, range);
    declare(ctx, "zipmap", &[Any, Any], zipmap);
    declare_variadic(ctx, "min", &[], Any, |a| fold(&a, f64::min));
    declare_variadic(ctx, "max", &[], Any, |a| fold(&a, f64::max));
    declare(ctx, "abs", &[Any], |a| Ok(num(number(&a[0])?.abs())));
    declare(ctx, "ceil", &[Any], |a| Ok(num(number(&a[0])?.ceil())));
    declare(ctx, "floor", &[Any], |a| Ok(num(number(&a[0])?.floor())));
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
    declare(ctx, "jsonencode", &[Any], |a| Ok(json(&a[0])?.into()));
    declare(ctx, "jsondecode", &[Str], jsondecode);
    declare(ctx, "base64encode", &[Str], |a| {
        use base64::Engine;
        Ok(base64::engine::general_purpose::STANDARD
            .encode(string(&a[0])?)
            .into())
    });
    declare(ctx, "base64decode", &[Str], base64decode);
    declare(ctx, "sha256", &[Str], |a| {
        use sha2::Digest;
        Ok(hex(&sha2::Sha256::digest(string(&a[0])?.as_bytes())).into())
    });
    declare(ctx, "sha512", &[Str], |a| {
        use sha2::Digest;
        Ok(hex(&sha2::Sha512::digest(string(&a[0])?.as_bytes())).into())
    });
    declare(ctx, "sha1", &[Str], |a| {
        use sha1::Digest;
        Ok(hex(&sha1::Sha1::digest(string(&a[0])?.as_bytes())).into())
    });
    declare(ctx, "md5", &[Str], |a| {
        use md5::Digest;
        Ok(hex(&md5::Md5::digest(string(&a[0])?.as_bytes())).into())
    });
    for name in [
        "timestamp",
        "timeadd",
        "formatdate",
        "uuid",
        "uuidv4",
        "uuidv5",
    ] {
        declare_variadic(ctx, name, &[], Any, no_clock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl::eval::Evaluate;

    fn eval(src: &str) -> std::result::Result<Value, String> {
        let mut ctx = Context::new();
        declare_builtins(&mut ctx);
        let body = hcl::parse(&format!("x = {src}")).map_err(|e| e.to_string())?;
        let attr = body.attributes().next().unwrap();
        attr.expr().evaluate(&ctx).map_err(|e| e.to_string())
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            eval(r#"format("%s-%d/%q", "a", 7, "b")"#).unwrap(),
            Value::from("a-7/\"b\"")
        );
        assert_eq!(
            eval(r#"join(",", ["a", "b"], ["c"])"#).unwrap(),
            Value::from("a,b,c")
        );
        assert_eq!(
            eval(r#"split(".", "1.2.3")"#).unwrap(),
            Value::from(vec!["1", "2", "3"])
        );
        assert_eq!(
            eval(r#"replace("a-b-c", "-", "_")"#).unwrap(),
            Value::from("a_b_c")
        );
        assert_eq!(
            eval(r#"replace("v1.2", "/v([0-9]+)/", "$1")"#).unwrap(),
            Value::from("1.2")
        );
        assert_eq!(
            eval(r#"regex_replace("refs/heads/main", "^refs/heads/", "")"#).unwrap(),
            Value::from("main")
        );
        assert_eq!(
            eval(r#"trimprefix("v1.2", "v")"#).unwrap(),
            Value::from("1.2")
        );
        assert_eq!(
            eval(r#"trimsuffix("a.tar", ".tar")"#).unwrap(),
            Value::from("a")
        );
        assert_eq!(eval(r#"upper(lower("MiX"))"#).unwrap(), Value::from("MIX"));
        assert_eq!(
            eval(r#"substr("hello", 1, 3)"#).unwrap(),
            Value::from("ell")
        );
        assert!(
            eval(r#"format("%s %s", "a")"#)
                .unwrap_err()
                .contains("more verbs")
        );
    }

    #[test]
    fn collection_functions() {
        assert_eq!(eval(r#"length([1, 2, 3])"#).unwrap(), Value::from(3));
        assert_eq!(
            eval(r#"concat(["a"], ["b"])"#).unwrap(),
            Value::from(vec!["a", "b"])
        );
        assert_eq!(
            eval(r#"contains(["a", "b"], "b")"#).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            eval(r#"coalesce("", null, "x")"#).unwrap(),
            Value::from("x")
        );
        assert_eq!(eval(r#"lookup({a = 1}, "b", 2)"#).unwrap(), Value::from(2));
        assert_eq!(
            eval(r#"merge({a = 1, b = 1}, {b = 2})"#).unwrap(),
            eval("{a = 1, b = 2}").unwrap()
        );
        assert_eq!(eval("range(3)").unwrap(), Value::from(vec![0, 1, 2]));
        assert!(eval("range(100000000)").unwrap_err().contains("more than"));
        assert_eq!(
            eval(r#"distinct(["a", "a", "b"])"#).unwrap(),
            Value::from(vec!["a", "b"])
        );
        assert_eq!(
            eval(r#"flatten([["a"], ["b", ["c"]]])"#).unwrap(),
            Value::from(vec!["a", "b", "c"])
        );
    }

    #[test]
    fn encoding_and_hash_functions() {
        assert_eq!(
            eval(r#"jsonencode({a = [1, "x"]})"#).unwrap(),
            Value::from(r#"{"a":[1,"x"]}"#)
        );
        assert_eq!(
            eval(r#"jsondecode("[1,2]")"#).unwrap(),
            Value::from(vec![1, 2])
        );
        assert_eq!(
            eval(r#"base64decode(base64encode("kiln"))"#).unwrap(),
            Value::from("kiln")
        );
        assert_eq!(
            eval(r#"sha256("abc")"#).unwrap(),
            Value::from("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            eval(r#"md5("abc")"#).unwrap(),
            Value::from("900150983cd24fb0d6963f7d28e17f72")
        );
        assert!(
            eval("timestamp()")
                .unwrap_err()
                .contains("same way every time")
        );
    }
}
