//! The functions HCL build files can call: the string, collection, encoding and hash
//! functions `docker buildx bake` users reach for (go-cty's standard library, reimplemented),
//! and the file's own `function` blocks. Nothing here reads the clock, the network or the
//! disk, so a file evaluates the same way every time.

mod args;
mod collections;
mod convert;
mod encoding;
mod numbers;
mod regex;
mod strings;

use args::{list, num, number, string};
use collections::*;
use convert::tobool;
use encoding::{base64decode, hex, json, jsondecode};
use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use numbers::fold;
use regex::{regex_fn, regex_replace, regexall, replace};
use strings::{format, indent, join, split, substr, title, trim};

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
