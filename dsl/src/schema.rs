//! The JSON Schema of build files, generated from the model types (draft-07, which is what
//! yaml-language-server validates).

use crate::model::BuildFile;

/// The schema as a JSON value.
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<BuildFile>();
    schema.to_value()
}

/// The schema as pretty JSON with a trailing newline, as committed in `schema/`.
pub fn json_schema_text() -> String {
    let mut text =
        serde_json::to_string_pretty(&json_schema()).expect("a JSON value always serializes");
    text.push('\n');
    text
}
