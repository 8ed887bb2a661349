//! Platforms as LLB wants them.

use kiln_proto::pb;

/// `os/arch[/variant]` → `pb::Platform`. The caller has checked the string.
pub fn to_pb(platform: &str) -> pb::Platform {
    let mut parts = platform.split('/');
    let os = parts.next().unwrap_or("linux").to_string();
    let architecture = parts.next().unwrap_or("amd64").to_string();
    let variant = parts.next().unwrap_or_default().to_string();
    pb::Platform {
        architecture,
        os,
        variant,
        ..Default::default()
    }
}

/// The platform args BuildKit defines (`TARGETPLATFORM`, `TARGETARCH`, ...) for a target and
/// a build platform.
pub fn args(target: &str, build: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (prefix, platform) in [("TARGET", target), ("BUILD", build)] {
        let p = to_pb(platform);
        out.push((format!("{prefix}PLATFORM"), platform.to_string()));
        out.push((format!("{prefix}OS"), p.os));
        out.push((format!("{prefix}ARCH"), p.architecture));
        out.push((format!("{prefix}VARIANT"), p.variant));
    }
    out
}
