//! `kiln lsp`: a language server for kiln build files, YAML and HCL, over stdio.
//!
//! ```text
//! text ──kiln_dsl::check_bytes──▶ diagnostics (the same as `kiln check`)
//!      ──kiln_dsl::parse_tree───▶ node tree ──tree::Index──▶ names and keys with spans
//! ```
//! Hover, completion, definition, references and symbols are look-ups in that index, with
//! field docs and valid keys from the JSON Schema that is generated from the model.

mod complete;
mod context;
mod convert;
mod document;
mod hover;
mod lines;
mod schema_docs;
mod server;
mod tree;

pub use server::run_stdio;

#[cfg(test)]
mod tests;
