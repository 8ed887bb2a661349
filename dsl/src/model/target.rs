//! Targets (what users build, and where the result goes) and groups of targets.

use super::StringMap;
use super::forms::ScalarMap;
use crate::span::Sp;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// Something users build: a stage with tags, platforms, args, labels, an output and caches.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The stage whose result this target is.
    pub stage: Sp<String>,
    /// What this target is for; shown by `kiln print` and `--call targets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image names to tag the result with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Sp<String>>,
    /// Platforms to build, e.g. `linux/amd64`, `linux/arm64`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Sp<String>>,
    /// Values for build args, overriding their defaults.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub args: StringMap,
    /// Labels added to the image.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub labels: StringMap,
    /// Where the result goes: `image` (default), `registry`, `local` or `tar`, or a map with
    /// `type` and `dest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<OutputSchema>")]
    pub output: Option<Output>,
    /// Caches to import before building, as bake's `cache-from`: BuildKit cache entries in
    /// CSV form (`type=registry,ref=localhost:5000/app:cache`, `type=local,src=/tmp/cache`,
    /// `type=gha`), or an image reference, short for `type=registry,ref=<reference>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_from: Vec<Sp<String>>,
    /// Caches to export after building, as bake's `cache-to`: BuildKit cache entries in CSV
    /// form (`type=registry,ref=localhost:5000/app:cache,mode=max`,
    /// `type=local,dest=/tmp/cache`, `type=inline`); `mode` is `min` (default) or `max`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_to: Vec<Sp<String>>,
}

/// Where a target's result goes.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// `image` (the builder's image store), `registry` (push), `local` (files) or `tar`.
    #[serde(rename = "type")]
    pub kind: Sp<OutputKind>,
    /// Directory (`local`) or file (`tar`) to write to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest: Option<Sp<String>>,
}

/// The kinds of output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    Image,
    Registry,
    Local,
    Tar,
}

/// An output kind, or a map with `type` and `dest`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OutputSchema {
    Kind(OutputKind),
    Full(Output),
}

/// A named set of targets and groups: a list of names, or a map with `targets` and
/// `description`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(with = "GroupSchema")]
pub struct Group {
    /// Names of the targets and groups in this group.
    pub targets: Vec<Sp<String>>,
    /// What this group is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A list of target and group names, or a map with `targets` and `description`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum GroupSchema {
    Members(Vec<String>),
    Full(GroupSpec),
}

/// A group with a description.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct GroupSpec {
    /// Names of the targets and groups in this group.
    targets: Vec<String>,
    /// What this group is for.
    description: Option<String>,
}
