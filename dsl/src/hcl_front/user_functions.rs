//! The file's own `function` blocks, as in bake. hcl-rs takes functions as plain `fn`
//! pointers, which cannot carry a function's body: each user function gets a slot (a
//! generated `fn`) that finds its definition in a per-thread table. Calls are counted and
//! their nesting limited, so recursion and call bombs end with an error.

use super::functions::check_size;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::{Expression, Value};
use std::cell::RefCell;

type Result<T> = std::result::Result<T, String>;

/// User functions calling user functions nest at most this deep (recursion is refused).
pub const MAX_CALL_DEPTH: usize = 16;
/// At most this many `function` blocks per file.
pub const MAX_USER_FUNCTIONS: usize = 32;
/// User functions run at most this many times while a file is read.
pub const MAX_CALLS: usize = 2_000;

/// A `function` block: parameters and the expression that is its result.
#[derive(Clone, Debug)]
pub struct UserFunction {
    pub name: String,
    pub params: Vec<String>,
    pub variadic: Option<String>,
    pub result: Expression,
}

struct Table {
    functions: Vec<UserFunction>,
    /// Variables and functions a function body sees (the file's scope).
    scope: Context<'static>,
    depth: usize,
    calls: usize,
}

thread_local! {
    // `Func` is a plain `fn` pointer: a user function is found through its slot here.
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

fn call(slot: usize, args: FuncArgs) -> Result<Value> {
    let (function, mut ctx) = TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let table = t.as_mut().ok_or("no function table")?;
        if table.depth >= MAX_CALL_DEPTH {
            return Err(format!(
                "functions call each other more than {MAX_CALL_DEPTH} deep (recursion is not allowed)"
            ));
        }
        if table.calls >= MAX_CALLS {
            return Err(format!("functions ran more than {MAX_CALLS} times"));
        }
        table.calls += 1;
        table.depth += 1;
        Ok((table.functions[slot].clone(), table.scope.clone()))
    })?;
    let positional = function.params.len();
    if args.len() < positional || (function.variadic.is_none() && args.len() > positional) {
        leave();
        return Err(format!(
            "`{}` takes {positional} argument(s), got {}",
            function.name,
            args.len()
        ));
    }
    for (name, value) in function.params.iter().zip(args.iter()) {
        ctx.declare_var(name.as_str(), value.clone());
    }
    if let Some(rest) = &function.variadic {
        ctx.declare_var(rest.as_str(), Value::Array(args[positional..].to_vec()));
    }
    let result = super::guard::evaluate(&function.result, &ctx).map_err(|e| e.to_string());
    leave();
    let value = result?;
    check_size(&value).map_err(|e| format!("`{}` returned {e}", function.name))?;
    Ok(value)
}

fn leave() {
    TABLE.with(|t| {
        if let Some(table) = t.borrow_mut().as_mut() {
            table.depth = table.depth.saturating_sub(1);
        }
    });
}

macro_rules! slots {
    ($($n:literal)*) => {
        [$(|args: FuncArgs| call($n, args)),*]
    };
}

const SLOTS: [hcl::eval::Func; MAX_USER_FUNCTIONS] = slots!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
);

/// Declare the file's functions in `ctx`, each seeing `scope` (variables and built-ins) and
/// each other. They stay usable on this thread until `clear_user_functions`.
pub fn declare_user_functions(
    ctx: &mut Context<'_>,
    functions: Vec<UserFunction>,
    mut scope: Context<'static>,
) {
    let functions: Vec<UserFunction> = functions.into_iter().take(MAX_USER_FUNCTIONS).collect();
    for (slot, function) in functions.iter().enumerate() {
        let def = FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(SLOTS[slot]);
        ctx.declare_func(function.name.as_str(), def.clone());
        scope.declare_func(function.name.as_str(), def);
    }
    TABLE.with(|t| {
        *t.borrow_mut() = Some(Table {
            functions,
            scope,
            depth: 0,
            calls: 0,
        })
    });
}

/// A variable the functions see, known after they are declared.
pub fn declare_in_scope(name: &str, value: Value) {
    TABLE.with(|t| {
        if let Some(table) = t.borrow_mut().as_mut() {
            table.scope.declare_var(name, value);
        }
    });
}

pub fn clear_user_functions() {
    TABLE.with(|t| *t.borrow_mut() = None);
}
