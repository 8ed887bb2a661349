//! The functions HCL build files can call: the string, collection, encoding and hash
//! functions `docker buildx bake` users reach for (go-cty's standard library, reimplemented),
//! and the file's own `function` blocks. Nothing here reads the clock, the network or the
//! disk, so a file evaluates the same way every time.

mod args;
mod arithmetic;
mod collections;
mod convert;
mod encoding;
mod logic;
mod numbers;
mod regex;
mod sets;
mod strings;

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

fn no_clock(_: FuncArgs) -> Result<Value> {
    Err("kiln files evaluate the same way every time: no clock, random or machine-dependent functions (timestamp, uuid, bcrypt, homedir, ...); pass the value as a variable (`--var NAME=...`)".into())
}

pub(super) fn declare(ctx: &mut Context<'_>, name: &str, params: &[ParamType], f: hcl::eval::Func) {
    ctx.declare_func(name, FuncDef::new(f, params.to_vec()));
}

pub(super) fn declare_variadic(
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
    use ParamType::Any;
    strings::declare_all(ctx);
    regex::declare_all(ctx);
    collections::declare_all(ctx);
    numbers::declare_all(ctx);
    convert::declare_all(ctx);
    logic::declare_all(ctx);
    encoding::declare_all(ctx);
    arithmetic::declare_all(ctx);
    sets::declare_all(ctx);
    // Declared so that a call gets kiln's reason instead of "unknown function".
    for name in [
        "timestamp",
        "timeadd",
        "formatdate",
        "uuid",
        "uuidv4",
        "uuidv5",
        "formattimestamp",
        "unixtimestampparse",
        "bcrypt",
        "homedir",
    ] {
        declare_variadic(ctx, name, &[], Any, no_clock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> std::result::Result<Value, String> {
        let mut ctx = Context::new();
        declare_builtins(&mut ctx);
        let body = hcl::parse(&format!("x = {src}")).map_err(|e| e.to_string())?;
        let attr = body.attributes().next().unwrap();
        crate::hcl_front::guard::evaluate(attr.expr(), &ctx).map_err(|e| e.to_string())
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
