//! bake's set, list and path functions that kiln had not needed before: `indexof`, `strlen`,
//! `hasindex`, `chunklist`, `reverselist`, `formatlist`, `sethaselement`, `setunion`,
//! `setintersection`, `setsubtract`, `setsymmetricdifference`, `setproduct`, `csvdecode`,
//! `basename`, `dirname`, `absolute`, `sanitize`, `urlencode`.

use super::Result;
use super::args::{bounded, integer, list, string};
use super::{declare, declare_variadic};
use hcl::Value;
use hcl::eval::{Context, FuncArgs, ParamType};

fn indexof(args: FuncArgs) -> Result<Value> {
    let items = list(&args[0])?;
    let i = items
        .iter()
        .position(|v| *v == args[1])
        .ok_or("`indexof`: the value is not in the list")?;
    Ok(Value::from(i as i64))
}

fn hasindex(args: FuncArgs) -> Result<Value> {
    Ok(Value::Bool(match &args[0] {
        Value::Array(items) => {
            integer(&args[1]).is_ok_and(|i| i >= 0 && (i as usize) < items.len())
        }
        Value::Object(map) => string(&args[1]).is_ok_and(|k| map.contains_key(&k)),
        _ => return Err("`hasindex` takes a list or a map".into()),
    }))
}

fn chunklist(args: FuncArgs) -> Result<Value> {
    let items = list(&args[0])?;
    let size = integer(&args[1])?;
    if size < 0 {
        return Err("`chunklist`: the size must not be negative".into());
    }
    if size == 0 {
        return Ok(Value::Array(vec![Value::Array(items.clone())]));
    }
    let chunks = items
        .chunks(size as usize)
        .map(|c| Value::Array(c.to_vec()));
    bounded(chunks.collect())
}

/// `formatlist("%s-%s", ["a", "b"], "x")`: `format` per element; lists must be as long as
/// each other, other arguments are used for every element.
fn formatlist(args: FuncArgs) -> Result<Value> {
    let len = args
        .iter()
        .skip(1)
        .filter_map(Value::as_array)
        .map(Vec::len)
        .max();
    let Some(len) = len else {
        return super::strings::format_values(&args[..])
            .map(|s| Value::Array(vec![Value::from(s)]));
    };
    let mut out = Vec::new();
    for i in 0..len {
        let mut row = vec![args[0].clone()];
        for arg in args.iter().skip(1) {
            match arg {
                Value::Array(items) if items.len() != len => {
                    return Err("`formatlist`: the lists are not all as long".into());
                }
                Value::Array(items) => row.push(items[i].clone()),
                other => row.push(other.clone()),
            }
        }
        out.push(Value::from(super::strings::format_values(&row)?));
    }
    bounded(out)
}

fn unique(items: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn sets(args: &FuncArgs) -> Result<Vec<Vec<Value>>> {
    args.iter()
        .map(|a| list(a).map(|l| unique(l.iter().cloned())))
        .collect()
}

fn setproduct(args: FuncArgs) -> Result<Value> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for set in sets(&args)? {
        let size = out.len().saturating_mul(set.len());
        if size > super::MAX_LIST {
            return Err(format!(
                "`setproduct`: more than {} combinations",
                super::MAX_LIST
            ));
        }
        out = out
            .into_iter()
            .flat_map(|row| {
                set.iter().map(move |v| {
                    let mut next = row.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    bounded(out.into_iter().map(Value::Array).collect())
}

/// `csvdecode("a,b\n1,2")`: the rows after the header, as objects keyed by it.
fn csvdecode(args: FuncArgs) -> Result<Value> {
    let text = string(&args[0])?;
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let header: Vec<String> = lines.next().map(split_csv).unwrap_or_default();
    let mut rows = Vec::new();
    for line in lines {
        let fields = split_csv(line);
        if fields.len() != header.len() {
            return Err(format!(
                "`csvdecode`: the row `{line}` has {} fields, not {}",
                fields.len(),
                header.len()
            ));
        }
        let row: hcl::Map<String, Value> = header
            .iter()
            .cloned()
            .zip(fields.into_iter().map(Value::from))
            .collect();
        rows.push(Value::Object(row));
    }
    bounded(rows)
}

fn split_csv(line: &str) -> Vec<String> {
    line.split(',')
        .map(|f| f.trim_matches('"').to_string())
        .collect()
}

fn urlencode(args: FuncArgs) -> Result<Value> {
    let text = string(&args[0])?;
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::from(out))
}

/// Declare these functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::Any;
    declare(ctx, "indexof", &[Any, Any], indexof);
    declare(ctx, "strlen", &[Any], |a| {
        Ok(Value::from(string(&a[0])?.chars().count() as i64))
    });
    declare(ctx, "hasindex", &[Any, Any], hasindex);
    declare(ctx, "chunklist", &[Any, Any], chunklist);
    declare(ctx, "reverselist", &[Any], |a| {
        Ok(Value::Array(list(&a[0])?.iter().rev().cloned().collect()))
    });
    declare_variadic(ctx, "formatlist", &[Any], Any, formatlist);
    declare(ctx, "sethaselement", &[Any, Any], |a| {
        Ok(Value::Bool(list(&a[0])?.contains(&a[1])))
    });
    declare_variadic(ctx, "setunion", &[], Any, |a| {
        bounded(unique(sets(&a)?.into_iter().flatten()))
    });
    declare_variadic(ctx, "setintersection", &[Any], Any, |a| {
        let mut all = sets(&a)?.into_iter();
        let first = all.next().unwrap_or_default();
        let rest: Vec<Vec<Value>> = all.collect();
        Ok(Value::Array(
            first
                .into_iter()
                .filter(|v| rest.iter().all(|s| s.contains(v)))
                .collect(),
        ))
    });
    declare(ctx, "setsubtract", &[Any, Any], |a| {
        let (from, take) = (list(&a[0])?, list(&a[1])?);
        Ok(Value::Array(unique(
            from.iter().filter(|v| !take.contains(v)).cloned(),
        )))
    });
    declare_variadic(ctx, "setsymmetricdifference", &[], Any, |a| {
        let all = sets(&a)?;
        let flat = all.iter().flatten();
        let odd = flat
            .clone()
            .filter(|v| all.iter().filter(|s| s.contains(v)).count() % 2 == 1);
        bounded(unique(odd.cloned()))
    });
    declare_variadic(ctx, "setproduct", &[], Any, setproduct);
    declare(ctx, "csvdecode", &[Any], csvdecode);
    declare(ctx, "basename", &[Any], |a| {
        let path = string(&a[0])?;
        let trimmed = path.trim_end_matches('/');
        Ok(Value::from(
            trimmed
                .rsplit('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or(if path.starts_with('/') { "/" } else { "." }),
        ))
    });
    declare(ctx, "dirname", &[Any], |a| {
        let path = string(&a[0])?;
        let trimmed = path.trim_end_matches('/');
        Ok(Value::from(match trimmed.rfind('/') {
            Some(0) => "/".to_string(),
            Some(i) => trimmed[..i].to_string(),
            None => ".".to_string(),
        }))
    });
    declare(ctx, "absolute", &[Any], |a| {
        let n = super::args::number(&a[0])?;
        Ok(super::args::num(n.abs()))
    });
    declare(ctx, "sanitize", &[Any], |a| {
        let text = string(&a[0])?;
        let clean = text
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' });
        Ok(Value::from(clean.collect::<String>()))
    });
    declare(ctx, "urlencode", &[Any], urlencode);
}
