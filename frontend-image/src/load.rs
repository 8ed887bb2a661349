//! Reading what the build starts from out of the client's session: the build file (or, for
//! Engine API clients, out of the context tar the daemon serves) and `.dockerignore`.

use crate::errors;
use crate::gateway::{Gateway, single_op_definition};
use kiln_dsl::budget::MAX_DOCKERIGNORE_BYTES;
use kiln_proto::{pb, rpc};
use kiln_request::request::Request;
use std::collections::BTreeMap;

/// How much of a build file is read: one byte past the size limit, so the check can say a
/// larger file is too large.
const READ_AT_MOST: usize = kiln_dsl::Limits::DEFAULT_MAX_FILE_BYTES + 1;

/// The build file's bytes and the digest of the vertex that loaded it (warnings attach to
/// it): from the `dockerfile` local of the client session, or for Engine API clients, out
/// of the context tar the daemon serves.
pub async fn build_file(
    gateway: &mut Gateway,
    request: &Request,
) -> Result<(Vec<u8>, String), rpc::Status> {
    match &request.context_tar_url {
        Some(url) => read_from_tar_context(gateway, url, &request.filename).await,
        None => read_build_file(gateway, request).await,
    }
}

/// The `.dockerignore` patterns of the context (none for a tar context: its client applied
/// them).
pub async fn dockerignore(
    gateway: &mut Gateway,
    request: &Request,
) -> Result<Vec<String>, rpc::Status> {
    if request.context_tar_url.is_some() {
        return Ok(Vec::new());
    }
    let vertex = "[internal] load .dockerignore";
    read_dockerignore_of(gateway, request, &request.context_key, vertex).await
}

/// The build file, from the `dockerfile` local of the client session.
async fn read_build_file(
    gateway: &mut Gateway,
    request: &Request,
) -> Result<(Vec<u8>, String), rpc::Status> {
    let filename = request.filename.as_str();
    let op = local_op(
        &request.dockerfile_key,
        request,
        &[filename],
        &gateway.llb_caps,
    );
    let definition = single_op_definition(
        &op,
        &format!("[internal] load build definition from {filename}"),
        &local_caps(request, &gateway.llb_caps),
    );
    let digest = head_digest(&definition);
    let solved = gateway
        .solve(definition, false)
        .await
        .map_err(errors::failed(&format!("cannot load {filename}")))?;
    let bytes = gateway
        .read_file_at_most(&solved, filename, READ_AT_MOST)
        .await
        .map_err(errors::failed(&format!(
            "cannot read the build file {filename}"
        )))?;
    Ok((bytes, digest))
}

/// The digest of a chain's last op (before the terminal one): the vertex the client shows
/// for it, which warnings attach to.
fn head_digest(definition: &pb::Definition) -> String {
    let ops = &definition.def;
    let head = ops.len().saturating_sub(2);
    ops.get(head)
        .map(|op| kiln_proto::digest(op))
        .unwrap_or_default()
}

/// The build file from a tar context: download it, unpack it, read the file.
async fn read_from_tar_context(
    gateway: &mut Gateway,
    url: &str,
    filename: &str,
) -> Result<(Vec<u8>, String), rpc::Status> {
    let load = format!("[internal] load build definition from {filename}");
    let definition = kiln_lowering::chain_definition(kiln_lowering::tar_context_ops(url, &load));
    let digest = head_digest(&definition);
    let solved = gateway
        .solve(definition, false)
        .await
        .map_err(errors::failed("cannot load the build context"))?;
    let doing = format!("cannot read the build file {filename} from the context");
    let bytes = gateway
        .read_file_at_most(&solved, filename, READ_AT_MOST)
        .await
        .map_err(errors::failed(&doing))?;
    Ok((bytes, digest))
}

/// The `.dockerignore` patterns of each named context the client maps to a local directory
/// (`context:NAME=local:DIR`), by DIR; the Dockerfile frontend applies them too.
pub async fn named_context_ignores(
    gateway: &mut Gateway,
    request: &Request,
) -> Result<BTreeMap<String, Vec<String>>, rpc::Status> {
    let mut ignores = BTreeMap::new();
    for mapped in request.named_contexts.values() {
        if let Some(local) = mapped.strip_prefix("local:") {
            let vertex = format!("[context {local}] load .dockerignore");
            let patterns = read_dockerignore_of(gateway, request, local, &vertex).await?;
            ignores.insert(local.to_string(), patterns);
        }
    }
    Ok(ignores)
}

/// Patterns of the `.dockerignore` of the client's local directory `local`, loaded by the
/// vertex `vertex` (none when there is no such file); a file over the budget is an error,
/// read no further than that.
async fn read_dockerignore_of(
    gateway: &mut Gateway,
    request: &Request,
    local: &str,
    vertex: &str,
) -> Result<Vec<String>, rpc::Status> {
    let op = local_op(local, request, &[".dockerignore"], &gateway.llb_caps);
    let caps = local_caps(request, &gateway.llb_caps);
    let definition = single_op_definition(&op, vertex, &caps);
    let Ok(solved) = gateway.solve(definition, false).await else {
        return Ok(Vec::new());
    };
    let limit = MAX_DOCKERIGNORE_BYTES + 1;
    let Ok(bytes) = gateway
        .read_file_at_most(&solved, ".dockerignore", limit)
        .await
    else {
        return Ok(Vec::new());
    };
    let which = if local == request.context_key {
        "the context's .dockerignore".to_string()
    } else {
        format!("the .dockerignore of the named context {local}")
    };
    kiln_request::dockerignore::pattern_lines(&bytes, &which)
        .map_err(|message| errors::status(errors::INVALID_ARGUMENT, message))
}

/// A small local source read in full: with the `none` differ, every file is sent again.
/// The default (metadata) differ keeps a file whose size and time match what an earlier sync
/// left in the daemon's shared copy, and clients such as buildctl share that copy between
/// directories: two builds of different kiln.yaml files of the same size, written in the same
/// moment, would otherwise read one file (seen on buildkitd with parallel builds).
fn local_op(
    name: &str,
    request: &Request,
    follow: &[&str],
    llb_caps: &std::collections::BTreeSet<String>,
) -> pb::Op {
    let mut attrs = BTreeMap::from([
        (
            "local.followpaths".to_string(),
            serde_json::to_string(follow).unwrap_or_default(),
        ),
        ("local.sharedkeyhint".to_string(), name.to_string()),
    ]);
    if let Some(session) = &request.session_id {
        attrs.insert("local.session".to_string(), session.clone());
    }
    if llb_caps.contains(DIFFER_CAP) {
        attrs.insert("local.differ".to_string(), "none".to_string());
    }
    pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{name}"),
            attrs,
        })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    }
}

const DIFFER_CAP: &str = "source.local.differ";

fn local_caps(
    request: &Request,
    llb_caps: &std::collections::BTreeSet<String>,
) -> Vec<&'static str> {
    let mut caps = vec![
        "source.local",
        "source.local.followpaths",
        "source.local.sharedkeyhint",
    ];
    if request.session_id.is_some() {
        caps.push("source.local.sessionid");
    }
    if llb_caps.contains(DIFFER_CAP) {
        caps.push(DIFFER_CAP);
    }
    caps
}
