//! The committed JSON Schema is the one the model generates.

#[test]
fn committed_schema_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/kiln.schema.json");
    let committed = std::fs::read_to_string(path).expect("schema/kiln.schema.json exists");
    let generated = kiln_dsl::schema::json_schema_text();
    assert!(
        committed == generated,
        "schema/kiln.schema.json is stale: run `cargo run -p kiln-cli -- schema -o schema/kiln.schema.json`"
    );
}

#[test]
fn schema_is_draft_07_with_descriptions() {
    let schema = kiln_dsl::schema::json_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    let stage = &schema["definitions"]["Stage"];
    assert!(
        stage["properties"]["from"]["description"]
            .as_str()
            .unwrap()
            .contains("scratch")
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, vec!["version", "stages"]);
}
