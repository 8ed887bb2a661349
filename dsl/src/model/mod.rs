//! The typed model of a kiln build file: the single source of truth for YAML, HCL, the JSON
//! Schema (generated from these types and their doc comments) and the docs.
//!
//! Values users write carry their span (`Sp<T>`) so checks can point at them. Several fields
//! accept a shorthand (a string instead of a list or a map); the model stores the long form,
//! and `#[schemars(with = ...)]` names the shorthand-aware schema.

mod copy;
mod forms;
mod image;
mod mount;
mod packages;
mod stage;
mod step;
mod target;

pub use copy::{Copy, CopyStep, Download, DownloadStep, GitSource, PerPlatform};
use forms::Scalar;
pub use image::{Healthcheck, ImageConfig};
pub use mount::{
    BindMount, CacheMount, MOUNT_KINDS, Mount, SecretMount, Sharing, SshMount, TmpfsMount,
};
pub use packages::{PackageManager, Packages, Repository, RepositoryKey};
pub use stage::Stage;
pub use step::{
    Command, EnvStep, Mkdir, MkdirStep, Network, PackagesStep, RunStep, STEP_KINDS, Security, Step,
    Symlink, SymlinkStep, UserStep, WorkdirStep,
};
pub use target::{Group, Output, OutputKind, Target};

use crate::span::Sp;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// A map from a name written in the file to a value, in the file's order.
pub type Named<T> = IndexMap<Sp<String>, T>;
/// A map of string keys to string values, e.g. environment variables or labels.
pub type StringMap = IndexMap<Sp<String>, Sp<String>>;

/// A kiln build file: args, stages that build filesystems, targets that name results, and
/// groups of targets.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "kiln build file")]
pub struct BuildFile {
    /// The JSON Schema this file follows, for editors. kiln ignores it.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Version of the kiln file format. Only `1` exists.
    #[schemars(range(min = 1, max = 1))]
    pub version: Sp<u32>,
    /// Build arguments with their defaults, used as `${NAME}` in any string. Overridden by
    /// `--build-arg NAME=VALUE` and by a target's `args`. Never stored in the image.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": ARG_NAME_PATTERN}))]
    pub args: Named<Arg>,
    /// Named filesystem states, each built `from` an image, another stage or `scratch`
    /// by ordered `steps`. Only stages that a built target needs are built.
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    pub stages: Named<Stage>,
    /// The named things users build: a stage plus tags, platforms, args and an output.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    pub targets: Named<Target>,
    /// Named sets of targets (and other groups). `default` is built when no target is named.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    pub groups: Named<Group>,
}

/// What stage, target and group names may look like.
pub const NAME_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
/// Paths that must be absolute (a leading `${VAR}` is taken to expand to one).
pub const ABSOLUTE_PATH_PATTERN: &str = r"^(/|\$\{)";
/// What arg and environment variable names may look like.
pub const ARG_NAME_PATTERN: &str = "^[A-Za-z_][A-Za-z0-9_]*$";

/// A build argument: a default value (string, number or boolean; `null` for none), or a map
/// with `default` and `description`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[schemars(with = "ArgSchema")]
pub struct Arg {
    /// The value used when nothing overrides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Sp<String>>,
    /// What the argument is for; shown by `kiln print` and `--call outline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A build argument: its default value, or a map with `default` and `description`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ArgSchema {
    /// The default value. `null` means no default.
    Value(Option<Scalar>),
    /// The default value and a description.
    Full(ArgSpec),
}

/// A build argument with a description.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ArgSpec {
    /// The value used when nothing overrides it.
    default: Option<Scalar>,
    /// What the argument is for.
    description: Option<String>,
}
