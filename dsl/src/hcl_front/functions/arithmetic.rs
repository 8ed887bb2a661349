//! bake's arithmetic and comparison functions (go-cty's stdlib): `add`, `subtract`,
//! `multiply`, `divide`, `modulo`, `negate`, `pow`, `log`, `signum`, `int`, `parseint`,
//! `greaterthan`, `lessthan`, ... and `semvercmp`.

use super::Result;
use super::args::{integer, num, number, string};
use super::declare;
use hcl::Value;
use hcl::eval::{Context, FuncArgs, ParamType};

fn two(args: &FuncArgs) -> Result<(f64, f64)> {
    Ok((number(&args[0])?, number(&args[1])?))
}

fn finite(n: f64) -> Result<Value> {
    if n.is_finite() {
        Ok(num(n))
    } else {
        Err("the result is not a finite number".into())
    }
}

/// `parseint("ff", 16)`: an integer written in base 2 to 62 (as go-cty, digits then letters).
fn parseint(args: FuncArgs) -> Result<Value> {
    let text = string(&args[0])?;
    let base = integer(&args[1])?;
    if !(2..=36).contains(&base) {
        return Err(format!("`parseint`: base {base} is not between 2 and 36"));
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let n = i64::from_str_radix(digits, base as u32)
        .map_err(|_| format!("`parseint`: `{text}` is not a number in base {base}"))?;
    Ok(Value::from(if negative { -n } else { n }))
}

/// `semvercmp("1.2.3", ">= 1.2")`: whether a version satisfies a constraint (comparisons
/// joined by `,`, each `=`, `!=`, `>`, `>=`, `<`, `<=` or a bare version).
fn semvercmp(args: FuncArgs) -> Result<Value> {
    let version = parse_version(&string(&args[0])?)?;
    let constraints = string(&args[1])?;
    for constraint in constraints.split(',') {
        let c = constraint.trim();
        let op_len = c
            .find(|ch: char| ch.is_ascii_digit() || ch == 'v')
            .unwrap_or(c.len());
        let (op, wanted) = c.split_at(op_len);
        let wanted = parse_version(wanted)?;
        let order = version.cmp(&wanted);
        let ok = match op.trim() {
            "" | "=" | "==" => order.is_eq(),
            "!=" => order.is_ne(),
            ">" => order.is_gt(),
            ">=" => order.is_ge(),
            "<" => order.is_lt(),
            "<=" => order.is_le(),
            other => return Err(format!("`semvercmp`: unknown operator `{other}`")),
        };
        if !ok {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn parse_version(text: &str) -> Result<Vec<u64>> {
    let text = text.trim().trim_start_matches('v');
    let core = text.split(['-', '+']).next().unwrap_or_default();
    let mut parts: Vec<u64> = core
        .split('.')
        .map(|p| p.parse().map_err(|_| format!("`{text}` is not a version")))
        .collect::<Result<_>>()?;
    parts.resize(3, 0);
    Ok(parts)
}

/// Declare the arithmetic functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::Any;
    declare(ctx, "add", &[Any, Any], |a| {
        two(&a).and_then(|(x, y)| finite(x + y))
    });
    declare(ctx, "subtract", &[Any, Any], |a| {
        two(&a).and_then(|(x, y)| finite(x - y))
    });
    declare(ctx, "multiply", &[Any, Any], |a| {
        two(&a).and_then(|(x, y)| finite(x * y))
    });
    declare(ctx, "divide", &[Any, Any], |a| {
        let (x, y) = two(&a)?;
        if y == 0.0 {
            return Err("`divide` by zero".into());
        }
        finite(x / y)
    });
    declare(ctx, "modulo", &[Any, Any], |a| {
        let (x, y) = two(&a)?;
        if y == 0.0 {
            return Err("`modulo` by zero".into());
        }
        finite(x % y)
    });
    declare(ctx, "negate", &[Any], |a| finite(-number(&a[0])?));
    declare(ctx, "pow", &[Any, Any], |a| {
        two(&a).and_then(|(x, y)| finite(x.powf(y)))
    });
    declare(ctx, "log", &[Any, Any], |a| {
        two(&a).and_then(|(x, b)| finite(x.ln() / b.ln()))
    });
    declare(ctx, "signum", &[Any], |a| {
        let n = number(&a[0])?;
        Ok(num(if n == 0.0 { 0.0 } else { n.signum() }))
    });
    declare(ctx, "int", &[Any], |a| finite(number(&a[0])?.trunc()));
    declare(ctx, "parseint", &[Any, Any], parseint);
    declare(ctx, "greaterthan", &[Any, Any], |a| {
        two(&a).map(|(x, y)| (x > y).into())
    });
    declare(ctx, "greaterthanorequalto", &[Any, Any], |a| {
        two(&a).map(|(x, y)| (x >= y).into())
    });
    declare(ctx, "lessthan", &[Any, Any], |a| {
        two(&a).map(|(x, y)| (x < y).into())
    });
    declare(ctx, "lessthanorequalto", &[Any, Any], |a| {
        two(&a).map(|(x, y)| (x <= y).into())
    });
    declare(ctx, "semvercmp", &[Any, Any], semvercmp);
}
