//! The catalogue: every diagnostic kiln emits, one named constructor each.
//!
//! A constructor takes what varies (names, spans, the few words of context) and returns the
//! finished [`Diagnostic`] with its code, message, labels and help, so one problem is worded
//! one way wherever it is found. Its doc comment says when it is emitted. Code outside the
//! catalogue reports diagnostics made here; it does not build them by hand.
//!
//! The constructors are grouped by where they are found, one file per family; all of them
//! are re-exported here (`catalogue::unknown_key`). A test checks that every [`Code`] has at
//! least one constructor, so a new code cannot be added without its wording.
//!
//! [`Code`]: super::Code

mod checks;
mod hcl;
mod input;
mod lowering;
mod schema;
mod values;
mod variables;

pub use checks::*;
pub use hcl::*;
pub use input::*;
pub use lowering::*;
pub use schema::*;
pub use values::*;
pub use variables::*;

/// `did you mean `x`?` when there is a near name, else `otherwise`.
fn did_you_mean_or(near: Option<&str>, otherwise: String) -> String {
    match near {
        Some(name) => format!("did you mean `{name}`?"),
        None => otherwise,
    }
}

#[cfg(test)]
mod tests;
