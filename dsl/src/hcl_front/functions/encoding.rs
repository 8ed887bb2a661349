//! Encoding functions: JSON, base64 and the hex form of hashes.

use super::Result;
use super::args::string;
use super::declare;
use hcl::Value;
use hcl::eval::FuncArgs;
use hcl::eval::{Context, ParamType};

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

/// Declare the encoding and hash functions in `ctx`.
pub(super) fn declare_all(ctx: &mut Context<'_>) {
    use ParamType::{Any, String as Str};
    declare(ctx, "jsonencode", &[Any], |a| Ok(json(&a[0])?.into()));
    declare(ctx, "jsondecode", &[Str], jsondecode);
    declare(ctx, "base64encode", &[Str], |a| {
        use base64::Engine;
        Ok(base64::engine::general_purpose::STANDARD
            .encode(string(&a[0])?)
            .into())
    });
    declare(ctx, "base64decode", &[Str], base64decode);
    declare(ctx, "sha256", &[Str], |a| {
        use sha2::Digest;
        Ok(hex(&sha2::Sha256::digest(string(&a[0])?.as_bytes())).into())
    });
    declare(ctx, "sha512", &[Str], |a| {
        use sha2::Digest;
        Ok(hex(&sha2::Sha512::digest(string(&a[0])?.as_bytes())).into())
    });
    declare(ctx, "sha1", &[Str], |a| {
        use sha1::Digest;
        Ok(hex(&sha1::Sha1::digest(string(&a[0])?.as_bytes())).into())
    });
    declare(ctx, "md5", &[Str], |a| {
        use md5::Digest;
        Ok(hex(&md5::Md5::digest(string(&a[0])?.as_bytes())).into())
    });
}
