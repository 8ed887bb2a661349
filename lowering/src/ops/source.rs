//! Source ops: images, build contexts, HTTP downloads and git checkouts.

use super::BuiltOp;
use kiln_dsl::reference;
use kiln_proto::pb;
use std::collections::BTreeMap;

/// The fully qualified form of an image reference, as BuildKit names it:
/// `alpine` → `docker.io/library/alpine:latest`.
pub fn normalize_image(image: &str) -> Result<String, String> {
    let parsed = reference::parse(image)?;
    let registry = parsed.registry.as_deref().unwrap_or("docker.io");
    let registry = if registry == "index.docker.io" {
        "docker.io"
    } else {
        registry
    };
    let path = if registry == "docker.io" && !parsed.path.contains('/') {
        format!("library/{}", parsed.path)
    } else {
        parsed.path.clone()
    };
    let mut out = format!("{registry}/{path}");
    match (&parsed.tag, &parsed.digest) {
        (Some(tag), _) => out.push_str(&format!(":{tag}")),
        (None, None) => out.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(digest) = &parsed.digest {
        out.push_str(&format!("@{digest}"));
    }
    Ok(out)
}

/// An image from a registry (`normalized`: see `normalize_image`) for `platform`.
pub fn image_op(normalized: &str, platform: &pb::Platform, resolve_mode: Option<&str>) -> BuiltOp {
    let mut attrs = BTreeMap::new();
    let mut caps = vec!["source.image"];
    if let Some(mode) = resolve_mode.filter(|m| *m != "default") {
        attrs.insert("image.resolvemode".to_string(), mode.to_string());
        caps.push("source.image.resolvemode");
    }
    let op = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("docker-image://{normalized}"),
            attrs,
        })),
        platform: Some(platform.clone()),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    };
    BuiltOp::new(op, caps)
}

/// A local directory sent by the client (the build context, or a named one).
pub fn local_op(name: &str, session_id: Option<&str>, exclude: &[String]) -> BuiltOp {
    let mut attrs = BTreeMap::from([("local.sharedkeyhint".to_string(), name.to_string())]);
    let mut caps = vec!["source.local", "source.local.sharedkeyhint"];
    if !exclude.is_empty() {
        let patterns = serde_json::to_string(exclude).expect("strings serialize");
        attrs.insert("local.excludepatterns".to_string(), patterns);
        caps.push("source.local.excludepatterns");
    }
    if let Some(session) = session_id {
        attrs.insert("local.session".to_string(), session.to_string());
        caps.push("source.local.sessionid");
    }
    let op = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{name}"),
            attrs,
        })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    };
    BuiltOp::new(op, caps)
}

/// A file fetched over HTTP(S), checked against its sha256 by BuildKit.
pub fn http_op(url: &str, sha256: Option<&str>, filename: &str, mode: Option<u32>) -> BuiltOp {
    let mut attrs = BTreeMap::from([("http.filename".to_string(), filename.to_string())]);
    let mut caps = vec!["source.http"];
    if let Some(sha) = sha256 {
        let hex = sha
            .strip_prefix("sha256:")
            .unwrap_or(sha)
            .to_ascii_lowercase();
        attrs.insert("http.checksum".to_string(), format!("sha256:{hex}"));
        caps.push("source.http.checksum");
    }
    if let Some(mode) = mode {
        attrs.insert("http.perm".to_string(), format!("0{mode:o}"));
        caps.push("source.http.perm");
    }
    let op = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: url.to_string(),
            attrs,
        })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    };
    BuiltOp::new(op, caps)
}

/// A git checkout: BuildKit names it `git://<host/path>#<ref>` and fetches the full URL.
pub fn git_op(url: &str, reference: Option<&str>, keep_git_dir: bool) -> BuiltOp {
    let remote = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut identifier = format!("git://{remote}");
    if let Some(reference) = reference {
        identifier.push('#');
        identifier.push_str(reference);
    }
    let mut attrs = BTreeMap::from([("git.fullurl".to_string(), url.to_string())]);
    let mut caps = vec!["source.git", "source.git.fullurl"];
    if keep_git_dir {
        attrs.insert("git.keepgitdir".to_string(), "true".to_string());
        caps.push("source.git.keepgitdir");
    }
    let op = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp { identifier, attrs })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    };
    BuiltOp::new(op, caps)
}

/// The file name a URL would be saved as: its last path segment, without query.
pub fn url_filename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.is_empty() {
        "download".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_buildkit() {
        assert_eq!(
            normalize_image("alpine").unwrap(),
            "docker.io/library/alpine:latest"
        );
        assert_eq!(
            normalize_image("localhost:5000/debian:bookworm").unwrap(),
            "localhost:5000/debian:bookworm"
        );
        assert_eq!(
            normalize_image("ghcr.io/a/b").unwrap(),
            "ghcr.io/a/b:latest"
        );
        let pinned = format!("busybox@sha256:{}", "a".repeat(64));
        assert_eq!(
            normalize_image(&pinned).unwrap(),
            format!("docker.io/library/busybox@sha256:{}", "a".repeat(64))
        );
        assert_eq!(
            url_filename("https://x.example/a/tool.tar.gz?sig=1"),
            "tool.tar.gz"
        );
    }
}
