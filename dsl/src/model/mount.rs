//! The mounts of a `run` step: caches, secrets, ssh agents, tmpfs and binds.

use super::ABSOLUTE_PATH_PATTERN;
use crate::span::Sp;
use schemars::JsonSchema;
use serde::Serialize;

/// A mount for a `run` step: a map with exactly one of `cache`, `secret`, `ssh`, `tmpfs`,
/// `bind`, plus that kind's options.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Mount {
    Cache(CacheMount),
    Secret(SecretMount),
    Ssh(SshMount),
    Tmpfs(TmpfsMount),
    Bind(BindMount),
}

/// The mount kinds.
pub const MOUNT_KINDS: &[&str] = &["cache", "secret", "ssh", "tmpfs", "bind"];

/// A persistent cache directory, kept between builds.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheMount {
    /// Where the cache appears (absolute path).
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub cache: Sp<String>,
    /// Cache identity; caches with the same id are shared. Defaults to the target path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Sp<String>>,
    /// How concurrent builds share it: `shared` (default), `private` or `locked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<Sp<Sharing>>,
    /// A stage or image whose files a new (empty) cache starts with. Default: empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Sp<String>>,
    /// Path inside `from` that a new cache starts with. Defaults to its root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Sp<String>>,
    /// Mount read-only (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly: Option<Sp<bool>>,
    /// Owner of a new cache directory (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Sp<u32>>,
    /// Group of a new cache directory (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<Sp<u32>>,
    /// Octal mode of a new cache directory, e.g. `"0700"` (default `"0755"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Sp<String>>,
}

/// How concurrent builds share a cache mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    Shared,
    Private,
    Locked,
}

/// A secret given to the build (`--secret id=...`), never stored in the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretMount {
    /// The secret's id.
    pub secret: Sp<String>,
    /// Where the secret file appears (absolute). Defaults to `/run/secrets/<id>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Sp<String>>,
    /// Also expose the secret in this environment variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Sp<String>>,
    /// Fail the build when the secret is not provided (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Sp<bool>>,
}

/// Access to an SSH agent forwarded by the client (`--ssh default`).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SshMount {
    /// The ssh id, usually `default`.
    pub ssh: Sp<String>,
    /// Where the agent socket appears (absolute). Defaults to `/run/buildkit/ssh_agent.N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Sp<String>>,
    /// Fail the build when the ssh id is not provided (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Sp<bool>>,
}

/// A temporary in-memory filesystem.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TmpfsMount {
    /// Where the tmpfs appears (absolute path).
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub tmpfs: Sp<String>,
    /// Size limit in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<Sp<u64>>,
}

/// Files of a stage, an image or the build context, visible while the command runs.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindMount {
    /// Where the files appear (absolute path).
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub bind: Sp<String>,
    /// A stage name or an image reference. Without `from` or `context`, the build context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Sp<String>>,
    /// A named build context (`--build-context NAME=...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Sp<String>>,
    /// Path inside the source to mount. Defaults to its root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Sp<String>>,
    /// Mount read-only (default true). Writes to a read-write bind are discarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly: Option<Sp<bool>>,
}
