//! List and object functions: `length`, `concat`, `lookup`, `merge`, `flatten`, `range`, ...

use super::MAX_LIST;
use super::Result;
use super::args::{bounded, integer, list, num, number, object, string};
use super::{declare, declare_variadic};
use hcl::Value;
use hcl::eval::FuncArgs;
use hcl::eval::{Context, ParamType};

pub(super) fn length(args: FuncArgs) -> Result<Value> {
    let n = match &args[0] {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        Value::String(s) => s.chars().count(),
        _ => return Err("`length` takes a list, an object or a string".into()),
    };
    Ok(Value::from(n as i64))
}

pub(super) fn concat(args: FuncArgs) -> Result<Value> {
    let mut out = Vec::new();
    for l in args.iter() {
        out.extend(list(l)?.iter().cloned());
    }
    bounded(out)
}

pub(super) fn contains(args: FuncArgs) -> Result<Value> {
    Ok(Value::Bool(list(&args[0])?.contains(&args[1])))
}

pub(super) fn coalesce(args: FuncArgs) -> Result<Value> {
    args.iter()
        .find(|v| !matches!(v, Value::Null) && **v != Value::String(String::new()))
        .cloned()
        .ok_or_else(|| "`coalesce`: every argument is null or empty".into())
}

pub(super) fn coalescelist(args: FuncArgs) -> Result<Value> {
    for l in args.iter() {
        if !list(l)?.is_empty() {
            return Ok(l.clone());
        }
    }
    Err("`coalescelist`: every list is empty".into())
}

pub(super) fn lookup(args: FuncArgs) -> Result<Value> {
    let map = object(&args[0])?;
    let key = string(&args[1])?;
    match (map.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("`lookup`: no key `{key}` and no default")),
    }
}

pub(super) fn merge(args: FuncArgs) -> Result<Value> {
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

pub(super) fn keys(args: FuncArgs) -> Result<Value> {
    let mut keys: Vec<String> = object(&args[0])?.keys().cloned().collect();
    keys.sort();
    Ok(Value::Array(keys.into_iter().map(Value::from).collect()))
}

pub(super) fn values(args: FuncArgs) -> Result<Value> {
    let map = object(&args[0])?;
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    Ok(Value::Array(
        keys.into_iter().map(|k| map[k].clone()).collect(),
    ))
}

pub(super) fn element(args: FuncArgs) -> Result<Value> {
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

pub(super) fn index(args: FuncArgs) -> Result<Value> {
    let l = list(&args[0])?;
    l.iter()
        .position(|v| *v == args[1])
        .map(|i| Value::from(i as i64))
        .ok_or_else(|| "`index`: the value is not in the list".into())
}

pub(super) fn flatten_into(value: &Value, out: &mut Vec<Value>, depth: usize) -> Result<()> {
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

pub(super) fn flatten(args: FuncArgs) -> Result<Value> {
    let mut out = Vec::new();
    for item in list(&args[0])? {
        flatten_into(item, &mut out, 0)?;
    }
    bounded(out)
}

pub(super) fn distinct(args: FuncArgs) -> Result<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in list(&args[0])? {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::Array(out))
}

pub(super) fn reverse(args: FuncArgs) -> Result<Value> {
    Ok(Value::Array(
        list(&args[0])?.iter().rev().cloned().collect(),
    ))
}

pub(super) fn sort(args: FuncArgs) -> Result<Value> {
    let all = list(&args[0])?;
    // Numbers sort as numbers and stay numbers: go-cty sorts their text, but its arithmetic
    // then reads them back as numbers (`[for v in sort(NUMS): v + 1]`), which hcl-rs's does
    // not.
    if !all.is_empty() && all.iter().all(|v| matches!(v, Value::Number(_))) {
        let mut numbers: Vec<f64> = all.iter().map(number).collect::<Result<_>>()?;
        numbers.sort_by(f64::total_cmp);
        return Ok(Value::Array(numbers.into_iter().map(num).collect()));
    }
    let mut items: Vec<String> = all.iter().map(string).collect::<Result<_>>()?;
    items.sort();
    Ok(Value::Array(items.into_iter().map(Value::from).collect()))
}

pub(super) fn compact(args: FuncArgs) -> Result<Value> {
    Ok(Value::Array(
        list(&args[0])?
            .iter()
            .filter(|v| !matches!(v, Value::Null) && **v != Value::String(String::new()))
            .cloned()
            .collect(),
    ))
}

pub(super) fn slice(args: FuncArgs) -> Result<Value> {
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

pub(super) fn range(args: FuncArgs) -> Result<Value> {
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

pub(super) fn zipmap(args: FuncArgs) -> Result<Value> {
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

/// Declare the list and object functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::{Any, String as Str};
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
}
