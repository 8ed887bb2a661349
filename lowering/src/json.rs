//! A readable JSON form of a Definition: each op decoded, with its digest and metadata.

use kiln_proto::pb;
use prost::Message;
use serde_json::{Value, json};

/// Ops in Definition order (the terminal last), each with digest, op and metadata.
pub fn definition_json(definition: &pb::Definition) -> Value {
    let ops: Vec<Value> = definition
        .def
        .iter()
        .map(|bytes| {
            let digest = kiln_proto::digest(bytes);
            let op = pb::Op::decode(bytes.as_slice()).map(|op| serde_json::to_value(op).unwrap_or(Value::Null));
            let locations = definition
                .source
                .as_ref()
                .and_then(|s| s.locations.get(&digest))
                .map(|l| serde_json::to_value(l).unwrap_or(Value::Null));
            json!({
                "digest": digest,
                "op": op.unwrap_or(Value::Null),
                "metadata": definition.metadata.get(&digest).map(|m| serde_json::to_value(m).unwrap_or(Value::Null)),
                "locations": locations,
            })
        })
        .collect();
    let source = definition.source.as_ref().map(|s| {
        json!(s.infos.iter().map(|i| json!({ "filename": i.filename, "language": i.language, "bytes": i.data.len() })).collect::<Vec<_>>())
    });
    json!({ "ops": ops, "sources": source })
}
