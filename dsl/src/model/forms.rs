//! Schema-only types for the shorthands files may write: scalars kept as text, one string or
//! many, and maps of scalars.

use indexmap::IndexMap;
use schemars::JsonSchema;

/// A string, number or boolean; kiln uses its text.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(super) enum Scalar {
    String(String),
    Number(f64),
    Bool(bool),
}

/// One string, or a list of strings.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A map of names to values (strings, numbers or booleans, kept as text).
#[derive(JsonSchema)]
#[allow(dead_code)]
pub(super) struct ScalarMap(IndexMap<String, Scalar>);
