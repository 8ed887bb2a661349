//! Regular-expression functions: `replace` (with a `/.../` pattern), `regex_replace`, `regex`, `regexall`.

use super::Result;
use super::args::{bounded, string};
use super::declare;
use hcl::Value;
use hcl::eval::FuncArgs;
use hcl::eval::{Context, ParamType};

pub(super) fn regex(pattern: &str) -> Result<regex_lite::Regex> {
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))
}

pub(super) fn replace(args: FuncArgs) -> Result<Value> {
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

pub(super) fn regex_replace(args: FuncArgs) -> Result<Value> {
    let (s, pattern, with) = (string(&args[0])?, string(&args[1])?, string(&args[2])?);
    Ok(Value::String(
        regex(&pattern)?.replace_all(&s, with.as_str()).into_owned(),
    ))
}

/// The match as a string, or its groups (a list, or an object for named groups).
pub(super) fn captures(re: &regex_lite::Regex, caps: &regex_lite::Captures<'_>) -> Value {
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

pub(super) fn regex_fn(args: FuncArgs) -> Result<Value> {
    let re = regex(&string(&args[0])?)?;
    let s = string(&args[1])?;
    let caps = re.captures(&s).ok_or("the pattern does not match")?;
    Ok(captures(&re, &caps))
}

pub(super) fn regexall(args: FuncArgs) -> Result<Value> {
    let re = regex(&string(&args[0])?)?;
    let s = string(&args[1])?;
    bounded(re.captures_iter(&s).map(|c| captures(&re, &c)).collect())
}

/// Declare the regular-expression functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::String as Str;
    declare(ctx, "replace", &[Str, Str, Str], replace);
    declare(ctx, "regex_replace", &[Str, Str, Str], regex_replace);
    declare(ctx, "regex", &[Str, Str], regex_fn);
    declare(ctx, "regexall", &[Str, Str], regexall);
}
