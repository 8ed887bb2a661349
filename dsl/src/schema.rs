//! The JSON Schema of build files, generated from the model types (draft-07, which is what
//! yaml-language-server validates). What the types cannot say is added here by hand, as
//! schemars transforms on the types it concerns.

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

/// A `download` needs `sha256` unless it says `insecure: true` (draft-07 `if`/`then`), as
/// `kiln check` requires (`kiln::missing-key`). Used by the `Download` type's schema.
pub fn sha256_unless_insecure(schema: &mut schemars::Schema) {
    let insecure = serde_json::json!({
        "properties": { "insecure": { "const": true } },
        "required": ["insecure"],
    });
    schema.insert("if".into(), serde_json::json!({ "not": insecure }));
    schema.insert("then".into(), serde_json::json!({ "required": ["sha256"] }));
}
