//! Evaluation that a panic inside hcl-rs cannot take down. Its number arithmetic panics on
//! `5 % 0`, on `-9223372036854775808 % -1` and on a division by zero turned into a string:
//! inside the frontend that would end a build with a crash, in the CLI with a backtrace.
//! [`evaluate`] turns such a panic into an evaluation error (reported at the expression
//! like any other), and a panic hook installed once keeps it off standard error.

use hcl::eval::{Context, Evaluate};
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`evaluate`] (its panics are handled, not printed).
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Keep the panics of guarded evaluations quiet; every other panic goes to the hook that
/// was there before (the default one, or a fuzzer's).
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// `value.evaluate(ctx)`, with a panic of the evaluator as an error that says what failed.
pub fn evaluate<E>(value: &E, ctx: &Context<'_>) -> Result<E::Output, hcl::eval::Error>
where
    E: Evaluate<Output = hcl::Value>,
{
    install_quiet_hook();
    let was = GUARDED.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| value.evaluate(ctx)));
    GUARDED.with(|g| g.set(was));
    result.unwrap_or_else(|panic| {
        let why = (panic.downcast_ref::<&str>().copied())
            .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("the evaluator failed");
        Err(hcl::eval::Error::from(hcl::eval::ErrorKind::Message(format!(
            "this arithmetic cannot be done ({why}): a division or remainder by zero, or a number past 64 bits"
        ))))
    })
}
