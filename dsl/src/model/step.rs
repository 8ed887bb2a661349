//! The steps of a stage: `run` and its options, and the steps that set state (`env`,
//! `workdir`, `user`), make paths (`mkdir`, `symlink`) or install `packages`.

use super::forms::{Scalar, ScalarMap};
use super::{CopyStep, DownloadStep, Mount, Packages, StringMap};
use crate::span::Sp;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// One build step. Each step is a map with exactly one of the keys `run`, `copy`,
/// `download`, `env`, `workdir`, `user`, `mkdir`, `symlink` or `packages`; a `run` step
/// may carry options (`mounts`, `network`, ...) next to it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Step {
    Run(RunStep),
    Copy(CopyStep),
    Download(DownloadStep),
    Env(EnvStep),
    Workdir(WorkdirStep),
    User(UserStep),
    Mkdir(MkdirStep),
    Symlink(SymlinkStep),
    Packages(PackagesStep),
}

impl Step {
    /// The key that says what kind of step this is.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Run(_) => "run",
            Step::Copy(_) => "copy",
            Step::Download(_) => "download",
            Step::Env(_) => "env",
            Step::Workdir(_) => "workdir",
            Step::User(_) => "user",
            Step::Mkdir(_) => "mkdir",
            Step::Symlink(_) => "symlink",
            Step::Packages(_) => "packages",
        }
    }
}

/// The step kinds, in the order the docs list them.
pub const STEP_KINDS: &[&str] = &[
    "run", "copy", "download", "env", "workdir", "user", "mkdir", "symlink", "packages",
];

/// Run a command in the stage's filesystem.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunStep {
    /// The command: a string runs with `/bin/sh -c`, a list runs as-is (argv).
    pub run: Sp<Command>,
    /// Mounts available while the command runs (caches, secrets, ssh agents, tmpfs, binds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Sp<Mount>>,
    /// Network access: `default` (sandboxed network), `none` or `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<Sp<Network>>,
    /// `sandbox` (default) or `insecure` (privileged; the builder must allow it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Sp<Security>>,
    /// Extra environment for this command only (not stored in the image).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
    /// User for this command only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub user: Option<Sp<String>>,
    /// Working directory for this command only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workdir: Option<Sp<String>>,
}

/// A command: a shell string (run by `/bin/sh -c`) or an argv list.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Command {
    /// Run by `/bin/sh -c`.
    Shell(Sp<String>),
    /// Executed directly, without a shell.
    Argv(#[schemars(length(min = 1))] Vec<Sp<String>>),
}

/// Network mode of a `run` step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Default,
    None,
    Host,
}

/// Security mode of a `run` step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    Sandbox,
    Insecure,
}

/// Set environment variables for the following steps and the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvStep {
    /// Variables to set.
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
}

/// Change the working directory of the following steps and the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkdirStep {
    /// The new working directory; relative paths are relative to the current one.
    pub workdir: Sp<String>,
}

/// Change the user of the following steps and the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserStep {
    /// User name or uid, optionally `:group`.
    #[schemars(with = "Scalar")]
    pub user: Sp<String>,
}

/// Create a directory.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MkdirStep {
    /// The directory: a path, or a map with `path`, `mode`, `chown`.
    #[schemars(with = "MkdirSchema")]
    pub mkdir: Mkdir,
}

/// A directory to create, with its parents.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mkdir {
    /// Path of the directory; relative paths are relative to the working directory.
    pub path: Sp<String>,
    /// Mode in octal (`"0755"`, the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Sp<String>>,
    /// Owner of the created directories.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub chown: Option<Sp<String>>,
}

/// A path, or a map with `path`, `mode` and `chown`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum MkdirSchema {
    Path(String),
    Full(Mkdir),
}

/// Create a symbolic link.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SymlinkStep {
    /// The link to create.
    pub symlink: Symlink,
}

/// A symbolic link: `path` will point to `target`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Symlink {
    /// What the link points to (stored as written).
    pub target: Sp<String>,
    /// Where the link is created.
    pub path: Sp<String>,
}

/// Install packages at this point of the steps.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackagesStep {
    /// Package names (optionally `name=version`), or a map with `install` and options.
    pub packages: Packages,
}
