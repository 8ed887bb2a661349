//! LLB capabilities: which ones an op relies on, when BuildKit gained them, and whether the
//! builder at hand has them.

use std::collections::BTreeSet;

/// The first BuildKit release that has an LLB cap (from BuildKit's `solver/pb/caps.go`).
/// Caps not listed are in v0.8 (Docker 20.10), the oldest BuildKit kiln supports.
const INTRODUCED: &[(&str, &str)] = &[
    ("source.local.differ", "v0.9"),
    ("source.git.subdir", "v0.9"),
    ("file.copy.includeexcludepatterns", "v0.9"),
    ("mergeop", "v0.10"),
    ("diffop", "v0.10"),
    ("exec.mount.tmpfs.size", "v0.10"),
    ("exec.secretenv", "v0.10"),
    ("file.symlink.create", "v0.19"),
];

/// The first BuildKit version with `cap`, for messages.
pub fn introduced_in(cap: &str) -> &'static str {
    INTRODUCED
        .iter()
        .find(|(c, _)| *c == cap)
        .map_or("v0.8", |(_, v)| v)
}

/// The LLB caps of the builder, from its Ping answer. `All` when unknown (no daemon, e.g.
/// `kiln llb`): everything kiln can emit is allowed.
#[derive(Clone, Debug, Default)]
pub enum CapSet {
    #[default]
    All,
    Only(BTreeSet<String>),
}

impl CapSet {
    pub fn has(&self, cap: &str) -> bool {
        match self {
            CapSet::All => true,
            CapSet::Only(caps) => caps.contains(cap),
        }
    }

    /// The caps of BuildKit v0.8 (Docker 20.10), as reported by its Ping.
    pub fn buildkit_v0_8() -> Self {
        const V0_8: &[&str] = &[
            "constraints",
            "exec.cgroup",
            "exec.meta.base",
            "exec.meta.network",
            "exec.meta.proxyenv",
            "exec.meta.security",
            "exec.meta.security.devices.v1",
            "exec.meta.setsdefaultpath",
            "exec.mount.bind",
            "exec.mount.bind.readwrite-nooutput",
            "exec.mount.cache",
            "exec.mount.cache.sharing",
            "exec.mount.secret",
            "exec.mount.selector",
            "exec.mount.ssh",
            "exec.mount.tmpfs",
            "file.base",
            "file.rm.wildcard",
            "meta.description",
            "meta.exportcache",
            "meta.ignorecache",
            "platform",
            "soruce.http.uidgid",
            "source.buildop.llbfilename",
            "source.git",
            "source.git.fullurl",
            "source.git.httpauth",
            "source.git.keepgitdir",
            "source.git.knownsshhosts",
            "source.git.mountsshsock",
            "source.http",
            "source.http.checksum",
            "source.http.perm",
            "source.image",
            "source.image.resolvemode",
            "source.local",
            "source.local.excludepatterns",
            "source.local.followpaths",
            "source.local.includepatterns",
            "source.local.sessionid",
            "source.local.sharedkeyhint",
            "source.local.unique",
        ];
        CapSet::Only(V0_8.iter().map(|s| s.to_string()).collect())
    }
}
