//! Encoding functions: JSON, base64 and the hex form of hashes.

use super::Result;
use super::args::string;
use hcl::Value;
use hcl::eval::FuncArgs;

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn json(value: &Value) -> Result<String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

pub(super) fn jsondecode(args: FuncArgs) -> Result<Value> {
    let text = string(&args[0])?;
    let parsed: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    hcl::to_value(parsed).map_err(|e| e.to_string())
}

pub(super) fn base64decode(args: FuncArgs) -> Result<Value> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(string(&args[0])?)
        .map_err(|e| format!("not valid base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the decoded bytes are not UTF-8".into())
}
