//! String functions: `format`, `split`, `join`, `substr`, `trim`, `indent`, `title`.

use super::Result;
use super::args::{bounded, integer, list, number, string};
use super::encoding::json;
use super::{declare, declare_variadic};
use hcl::Value;
use hcl::eval::FuncArgs;
use hcl::eval::{Context, ParamType};

/// `format("%s-%d", a, b)`: Go's verbs %s %d %v %q %f %%.
pub(super) fn format(args: FuncArgs) -> Result<Value> {
    format_values(&args[..]).map(Value::String)
}

/// `format`'s work on its arguments (the spec first), shared with `formatlist`.
pub(super) fn format_values(args: &[Value]) -> Result<String> {
    let spec = string(args.first().ok_or("`format` needs a format string")?)?;
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
    Ok(out)
}

pub(super) fn split(args: FuncArgs) -> Result<Value> {
    let (sep, s) = (string(&args[0])?, string(&args[1])?);
    if sep.is_empty() {
        return Err("`split` needs a non-empty separator".into());
    }
    bounded(s.split(sep.as_str()).map(Value::from).collect())
}

pub(super) fn join(args: FuncArgs) -> Result<Value> {
    let sep = string(&args[0])?;
    let mut parts = Vec::new();
    for l in args.iter().skip(1) {
        for v in list(l)? {
            parts.push(string(v)?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

pub(super) fn substr(args: FuncArgs) -> Result<Value> {
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

pub(super) fn trim(args: FuncArgs) -> Result<Value> {
    let (s, cut) = (string(&args[0])?, string(&args[1])?);
    Ok(Value::String(
        s.trim_matches(|c| cut.contains(c)).to_string(),
    ))
}

pub(super) fn indent(args: FuncArgs) -> Result<Value> {
    let spaces = " ".repeat(integer(&args[0])?.clamp(0, 64) as usize);
    let s = string(&args[1])?;
    Ok(Value::String(s.replace('\n', &format!("\n{spaces}"))))
}

pub(super) fn title(args: FuncArgs) -> Result<Value> {
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

/// Declare the string functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
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
    declare(ctx, "split", &[Str, Str], split);
    declare_variadic(ctx, "format", &[Str], Any, format);
    declare_variadic(ctx, "join", &[Str], Any, join);
}
