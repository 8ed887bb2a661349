//! Steps that bring files in: `copy` (from the context, a stage, an image or git) and
//! `download`.

use super::StringMap;
use super::forms::{OneOrMany, Scalar};
use crate::span::Sp;
use schemars::JsonSchema;
use serde::Serialize;

/// Copy files into the stage.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyStep {
    /// What to copy and where.
    pub copy: Copy,
}

/// Copy files from the build context, a stage, an image or a named context.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Copy {
    /// Source paths (globs allowed). A directory copies its contents, as in a Dockerfile.
    #[schemars(with = "OneOrMany")]
    pub src: Sp<Vec<Sp<String>>>,
    /// Destination. Ending in `/` (or with several sources) it is a directory.
    /// Relative paths are relative to the working directory.
    pub dst: Sp<String>,
    /// Copy from this stage or image instead of the build context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Sp<String>>,
    /// Copy from this named build context instead of the main one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Sp<String>>,
    /// Copy from a git repository (`src` is relative to its root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitSource>,
    /// Patterns of files not to copy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Sp<String>>,
    /// Owner of the copied files: `user`, `user:group`, `uid` or `uid:gid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub chown: Option<Sp<String>>,
    /// Mode of the copied files, in octal (`"0755"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chmod: Option<Sp<String>>,
    /// Copy into an independent layer that survives changes to earlier steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Sp<bool>>,
}

/// A git repository to copy files from, fetched by BuildKit.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitSource {
    /// The repository: `https://...`, `http://...`, `git://...` or `ssh://...`.
    pub url: Sp<String>,
    /// Branch or tag to check out (default: the remote's default branch).
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<Sp<String>>,
    /// Full commit hash to pin to: the build fails if the repository does not have it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<Sp<String>>,
    /// Keep the `.git` directory (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_git_dir: Option<Sp<bool>>,
    /// A directory of the repository that `src` paths are relative to (default: its root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdir: Option<Sp<String>>,
}

/// Download a file, checked against its sha256.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DownloadStep {
    /// What to download and where.
    pub download: Download,
}

/// A download with a required checksum. `url` and `sha256` may be maps keyed by
/// architecture (`amd64`) or platform (`linux/arm64`) so one step serves several platforms.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::schema::sha256_unless_insecure)]
pub struct Download {
    /// The `https://` URL, or a map of platform or architecture to URL.
    pub url: PerPlatform,
    /// Expected sha256 of the file (64 hex digits), or a map of platform or architecture to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<PerPlatform>,
    /// Destination path. Ending in `/` it is a directory and the URL's file name is kept.
    pub dst: Sp<String>,
    /// Mode of the file, in octal (`"0755"`). Default `0644`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Sp<String>>,
    /// Owner of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub chown: Option<Sp<String>>,
    /// Allow a download without `sha256` (reported as a warning). Default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<Sp<bool>>,
    /// Unpack the downloaded archive (tar, optionally gzip, bzip2 or xz compressed) into
    /// `dst`, a directory. Default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extract: Option<Sp<bool>>,
}

/// One value for all platforms, or a map keyed by architecture (`amd64`, `arm64`) or
/// platform (`linux/arm64`).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PerPlatform {
    All(Sp<String>),
    ByPlatform(StringMap),
}
