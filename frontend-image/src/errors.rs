//! Errors returned to BuildKit: what users see on `docker build` is the message text only,
//! so it names the kiln file, line and step; BuildKit's own details are kept so clients that
//! show them (buildx) still can.

use kiln_proto::{pb, rpc};
use prost::Message;

/// gRPC codes used here.
pub const UNKNOWN: i32 = 2;
pub const INVALID_ARGUMENT: i32 = 3;
pub const UNIMPLEMENTED: i32 = 12;
pub const INTERNAL: i32 = 13;

pub fn status(code: i32, message: impl Into<String>) -> rpc::Status {
    rpc::Status {
        code,
        message: message.into(),
        details: Vec::new(),
    }
}

/// A gateway call that failed, said with what kiln was doing: `cannot load kiln.yaml: ...`,
/// keeping BuildKit's code.
pub fn failed(doing: &str) -> impl Fn(tonic::Status) -> rpc::Status + '_ {
    move |e| status(e.code() as i32, format!("{doing}: {}", e.message()))
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
    let json = |suffix: &str| {
        details
            .iter()
            .filter(|any| any.type_url.ends_with(suffix))
            .find_map(|any| serde_json::from_slice::<serde_json::Value>(&any.value).ok())
    };
    // BuildKit v0.8 names the failing vertex by our op's digest. Newer BuildKits rewrite ops
    // before solving (so the digest differs): find ours from the failing op they report.
    let by_digest = json("errdefs.Vertex+json")
        .and_then(|v| v["digest"].as_str().map(str::to_string))
        .filter(|digest| definition.metadata.contains_key(digest));
    let digest = by_digest.or_else(|| {
        json("errdefs.Solve+json").and_then(|solve| matching_op(definition, &solve["op"]))
    });
    let step = digest
        .as_deref()
        .and_then(|digest| describe_vertex(definition, digest, file));
    let said = crate::explain::failure(error.message());
    let message = match step {
        Some(step) => format!("{step} failed: {said}"),
        None => format!("{file}: the build failed: {said}"),
    };
    let mut details = details;
    // Current BuildKits rewrite ops before solving and lose our source map on the way; a
    // Source detail of our own lets clients (buildx) still show the kiln file's snippet.
    if let Some(source) = digest.as_deref().and_then(|d| source_detail(definition, d)) {
        details.insert(0, source);
    }
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

/// The digest of our op that the reported (JSON) op was made from: same command, working
/// directory and environment for an exec; same first action for a file op.
fn matching_op(definition: &pb::Definition, reported: &serde_json::Value) -> Option<String> {
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let exec = &reported["exec"]["meta"];
    let action = &reported["file"]["actions"][0];
    definition.def.iter().find_map(|bytes| {
        let op = pb::Op::decode(bytes.as_slice()).ok()?;
        let same = match op.op? {
            pb::op::Op::Exec(e) => {
                let meta = e.meta?;
                exec.is_object()
                    && meta.args == strings(&exec["args"])
                    && meta.env == strings(&exec["env"])
                    && meta.cwd == exec["cwd"].as_str().unwrap_or("")
            }
            pb::op::Op::File(f) => {
                let ours = serde_json::to_value(f.actions.first()?.action.as_ref()?).ok()?;
                let text = |v: &serde_json::Value, key: &str| {
                    v.pointer(key).and_then(|s| s.as_str()).map(str::to_string)
                };
                action.is_object()
                    && [
                        ("/Copy/src", "/copy/src"),
                        ("/Copy/dest", "/copy/dest"),
                        ("/Mkdir/path", "/mkdir/path"),
                    ]
                    .iter()
                    .all(|(a, b)| text(&ours, a) == text(action, b))
            }
            pb::op::Op::Source(source) => same_source(&source, &reported["source"]),
            _ => false,
        };
        same.then(|| kiln_proto::digest(bytes))
    })
}

/// Whether the reported source op is ours: the same identifier, or a download with the same
/// checksum and file name. BuildKit keys a checksummed download by its checksum alone, so
/// two builds at once fetching the same file from different URLs share one vertex, and the
/// failure may come back reported as the other build's op.
fn same_source(ours: &pb::SourceOp, reported: &serde_json::Value) -> bool {
    if reported["identifier"].as_str() == Some(ours.identifier.as_str()) {
        return true;
    }
    let attr = |key: &str| reported["attrs"][key].as_str();
    let checksum = ours.attrs.get("http.checksum").map(String::as_str);
    checksum.is_some()
        && attr("http.checksum") == checksum
        && attr("http.filename") == ours.attrs.get("http.filename").map(String::as_str)
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

/// `errdefs.Source` (as BuildKit's JSON) for the step an op came from.
fn source_detail(definition: &pb::Definition, digest: &str) -> Option<prost_types::Any> {
    let source = definition.source.as_ref()?;
    let location = source.locations.get(digest)?.locations.first()?;
    let info = source
        .infos
        .get(usize::try_from(location.source_index).ok()?)?;
    source_any(info, &location.ranges)
}

/// An `errdefs.Source` detail: a file and ranges in it, which buildx prints as a snippet.
pub fn source_any(info: &pb::SourceInfo, ranges: &[pb::Range]) -> Option<prost_types::Any> {
    use base64::Engine as _;
    let position = |p: &Option<pb::Position>| {
        let p = p.unwrap_or_default();
        serde_json::json!({ "line": p.line, "character": p.character })
    };
    let ranges: Vec<_> = ranges
        .iter()
        .map(|r| serde_json::json!({ "start": position(&r.start), "end": position(&r.end) }))
        .collect();
    let value = serde_json::json!({
        "info": {
            "filename": info.filename,
            "data": base64::engine::general_purpose::STANDARD.encode(&info.data),
            "language": info.language,
        },
        "ranges": ranges,
    });
    Some(prost_types::Any {
        type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
        value: serde_json::to_vec(&value).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn download(url: &str, checksum: &str) -> pb::SourceOp {
        pb::SourceOp {
            identifier: url.to_string(),
            attrs: [
                ("http.checksum".to_string(), checksum.to_string()),
                ("http.filename".to_string(), "tool.sh".to_string()),
            ]
            .into(),
        }
    }

    #[test]
    fn a_download_is_ours_by_url_or_by_checksum_and_name() {
        let ours = download("http://127.0.0.1:1000/tool.sh", "sha256:aa");
        let reported = |url: &str, checksum: &str| {
            serde_json::json!({ "identifier": url, "attrs": {
                "http.checksum": checksum, "http.filename": "tool.sh" } })
        };
        assert!(same_source(
            &ours,
            &reported("http://127.0.0.1:1000/tool.sh", "sha256:bb")
        ));
        // Another build's download of the same file, deduplicated by BuildKit.
        assert!(same_source(
            &ours,
            &reported("http://127.0.0.1:2000/tool.sh", "sha256:aa")
        ));
        assert!(!same_source(
            &ours,
            &reported("http://127.0.0.1:2000/tool.sh", "sha256:bb")
        ));
        let unchecked = pb::SourceOp {
            identifier: "http://127.0.0.1:1000/tool.sh".into(),
            attrs: Default::default(),
        };
        let other = serde_json::json!({ "identifier": "http://127.0.0.1:2000/tool.sh" });
        assert!(
            !same_source(&unchecked, &other),
            "no checksum: the URL decides"
        );
    }
}
