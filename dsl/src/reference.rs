//! Image references, checked against the grammar of docker/distribution:
//! `[registry[:port]/]path[:tag][@algorithm:hex]`.

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host (and port), if one was written.
    pub registry: Option<String>,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Whether the reference pins content by digest.
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some()
    }
}

/// Parse an image reference, or say what is wrong with it.
pub fn parse(input: &str) -> Result<ImageRef, String> {
    if input.is_empty() {
        return Err("an image reference cannot be empty".into());
    }
    if input.len() > 255 + 64 + 128 {
        return Err("the image reference is too long".into());
    }
    if let Some(c) = input.chars().find(|c| c.is_whitespace()) {
        return Err(format!(
            "image references cannot contain whitespace ({c:?})"
        ));
    }
    let (name_and_tag, digest) = match input.split_once('@') {
        Some((n, d)) => (n, Some(parse_digest(d)?)),
        None => (input, None),
    };
    // A `:` after the last `/` starts the tag; before it, it is a registry port.
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].find(':') {
        Some(i) => (
            &name_and_tag[..last_slash + i],
            Some(&name_and_tag[last_slash + i + 1..]),
        ),
        None => (name_and_tag, None),
    };
    if let Some(tag) = tag {
        check_tag(tag)?;
    }
    let (registry, path) = split_registry(name);
    if let Some(registry) = registry {
        check_registry(registry)?;
    }
    check_path(path)?;
    if name.len() > 255 {
        return Err("the repository name is longer than 255 characters".into());
    }
    Ok(ImageRef {
        registry: registry.map(str::to_string),
        path: path.to_string(),
        tag: tag.map(str::to_string),
        digest,
    })
}

/// Docker's rule: the first component is a registry if it has a `.` or `:`, or is `localhost`.
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_registry(registry: &str) -> Result<(), String> {
    let (host, port) = match registry.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (registry, None),
    };
    let port_ok = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|p| p <= 65535)
    };
    if let Some(port) = port
        && !port_ok(port)
    {
        return Err(format!("`{port}` is not a valid registry port"));
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.is_empty() || !host.split('.').all(valid_label) {
        return Err(format!("`{registry}` is not a valid registry host"));
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the image name is missing".into());
    }
    for component in path.split('/') {
        if component.is_empty() {
            return Err(
                "image names cannot have empty path components (`//` or a trailing `/`)".into(),
            );
        }
        if component.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "repository names must be lowercase (`{component}`)"
            ));
        }
        if !valid_path_component(component) {
            return Err(format!(
                "`{component}` is not a valid repository name component: use lowercase letters, digits, and `.`, `_`, `__` or `-` between them"
            ));
        }
    }
    Ok(())
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let dashes = separator.bytes().all(|b| b == b'-');
        if !(separator == "." || separator == "_" || separator == "__" || dashes) {
            return false;
        }
    }
    true
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
fn check_tag(tag: &str) -> Result<(), String> {
    let bytes = tag.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{tag}` is not a valid tag: use up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
        ))
    }
}

fn parse_digest(digest: &str) -> Result<String, String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!(
            "`{digest}` is not a digest: write `sha256:<64 hex digits>`"
        ));
    };
    let expected_len = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "unsupported digest algorithm `{algorithm}`: use sha256"
            ));
        }
    };
    if hex.len() != expected_len
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "a {algorithm} digest is {expected_len} lowercase hex digits"
        ));
    }
    Ok(digest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_references() {
        for ok in [
            "alpine",
            "busybox:1",
            "localhost:5000/debian:bookworm",
            "ghcr.io/acme/app:1.2",
            "registry.example.com:443/a/b/c",
            "my_org/my-app__x:latest",
            &format!("alpine@sha256:{}", "a".repeat(64)),
            &format!("ghcr.io/acme/app:1.2@sha256:{}", "0".repeat(64)),
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
        let r = parse("localhost:5000/debian:bookworm").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.path, "debian");
        assert_eq!(r.tag.as_deref(), Some("bookworm"));
    }

    #[test]
    fn refuses_malformed_references() {
        for bad in [
            "",
            "Upper/Case",
            "a:b:c",
            "a//b",
            "a/",
            "-lead",
            "x:.tag",
            "alpine@sha256:abc",
            "alpine@md5:abc",
            "host:99999/a",
            "with space",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
