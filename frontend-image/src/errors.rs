//! Errors returned to BuildKit: what users see on `docker build` is the message text only,
//! so it names the kiln file, line and step; BuildKit's own details are kept so clients that
//! show them (buildx) still can.

use kiln_proto::{pb, rpc};
use prost::Message;

/// gRPC codes used here.
pub const UNKNOWN: i32 = 2;
pub const INVALID_ARGUMENT: i32 = 3;

pub fn status(code: i32, message: impl Into<String>) -> rpc::Status {
    rpc::Status {
        code,
        message: message.into(),
        details: Vec::new(),
    }
}

/// A failed solve, with the kiln step that failed named from the vertex digest in BuildKit's
/// error details, and those details kept.
pub fn solve_failure(
    error: &tonic::Status,
    definition: &pb::Definition,
    file: &str,
) -> rpc::Status {
    let details = rpc::Status::decode(error.details())
        .map(|s| s.details)
        .unwrap_or_default();
    let vertex = details.iter().find_map(|any| {
        if !any.type_url.ends_with("errdefs.Vertex+json") {
            return None;
        }
        let value: serde_json::Value = serde_json::from_slice(&any.value).ok()?;
        value["digest"].as_str().map(str::to_string)
    });
    let step = vertex
        .as_deref()
        .and_then(|digest| describe_vertex(definition, digest, file));
    let message = match step {
        Some(step) => format!("{step} failed: {}", error.message()),
        None => format!("{file}: the build failed: {}", error.message()),
    };
    let code = if error.code() as i32 == 0 {
        UNKNOWN
    } else {
        error.code() as i32
    };
    rpc::Status {
        code,
        message,
        details,
    }
}

/// `kiln.yaml:12: [build 2/3] run: make`
fn describe_vertex(definition: &pb::Definition, digest: &str, file: &str) -> Option<String> {
    let name = definition
        .metadata
        .get(digest)?
        .description
        .get("llb.customname")?
        .clone();
    let line = definition
        .source
        .as_ref()
        .and_then(|s| s.locations.get(digest))
        .and_then(|l| l.locations.first())
        .and_then(|l| l.ranges.first())
        .and_then(|r| r.start.as_ref())
        .map(|p| p.line);
    Some(match line {
        Some(line) => format!("{file}:{line}: {name}"),
        None => format!("{file}: {name}"),
    })
}
