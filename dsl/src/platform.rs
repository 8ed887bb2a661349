//! Platform strings (`linux/amd64`, `linux/arm64/v8`), as BuildKit and containerd accept them.

/// A parsed platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

const OSES: &[&str] = &[
    "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix",
    "plan9",
];
const ARCHES: &[&str] = &[
    "amd64", "arm64", "arm", "386", "ppc64le", "ppc64", "s390x", "riscv64", "mips64le", "mips64",
    "mipsle", "mips", "loong64", "wasm",
];
/// Names other tools use, and the name BuildKit expects instead.
const ARCH_ALIASES: &[(&str, &str)] = &[
    ("x86_64", "amd64"),
    ("x86-64", "amd64"),
    ("aarch64", "arm64"),
    ("armhf", "arm"),
    ("armel", "arm"),
    ("i386", "386"),
    ("i686", "386"),
];

/// The platform arguments BuildKit defines for every build.
pub const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Parse `os/arch[/variant]`, or say what is wrong and how to write it.
pub fn parse(input: &str) -> Result<Platform, String> {
    let parts: Vec<&str> = input.split('/').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "`{input}` is not a platform: write `os/arch` or `os/arch/variant`, e.g. `linux/amd64`"
        ));
    }
    let (os, arch) = (parts[0], parts[1]);
    if !OSES.contains(&os) {
        return Err(format!(
            "unknown operating system `{os}`: expected one of {}",
            OSES.join(", ")
        ));
    }
    if let Some((_, canonical)) = ARCH_ALIASES.iter().find(|(alias, _)| *alias == arch) {
        return Err(format!(
            "`{arch}` is not how BuildKit names this architecture: write `{os}/{canonical}`"
        ));
    }
    if !ARCHES.contains(&arch) {
        return Err(format!(
            "unknown architecture `{arch}`: expected one of {}",
            ARCHES.join(", ")
        ));
    }
    let variant = parts.get(2).map(|v| v.to_string());
    if let Some(v) = &variant {
        let ok = v.len() <= 8
            && v.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !ok {
            return Err(format!("`{v}` is not a valid variant (e.g. `v7`, `v8`)"));
        }
    }
    Ok(Platform {
        os: os.into(),
        architecture: arch.into(),
        variant,
    })
}

/// Whether `key` names an architecture (`amd64`) or a platform (`linux/arm64`), as used by
/// per-platform download maps.
pub fn is_platform_key(key: &str) -> bool {
    ARCHES.contains(&key) || parse(key).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(
            parse("linux/arm64/v8").unwrap().variant.as_deref(),
            Some("v8")
        );
        assert!(parse("linux/amd64").is_ok());
        assert!(parse("linux").is_err());
        assert!(parse("linux/x86_64").unwrap_err().contains("linux/amd64"));
        assert!(parse("linx/amd64").is_err());
        assert!(parse("$BUILDPLATFORM").is_err());
        assert!(
            is_platform_key("arm64") && is_platform_key("linux/arm64") && !is_platform_key("arm65")
        );
    }
}
