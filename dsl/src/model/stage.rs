//! A stage: a named filesystem state built `from` a base by ordered steps.

use super::forms::{Scalar, ScalarMap};
use super::{ABSOLUTE_PATH_PATTERN, ImageConfig, Packages, Step, StringMap};
use crate::span::Sp;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// A named filesystem state.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// What the stage starts from: the name of another stage, an image reference
    /// (`localhost:5000/debian:bookworm`, `alpine@sha256:...`) or `scratch` (empty).
    #[schemars(length(min = 1))]
    pub from: Sp<String>,
    /// Platform to build this stage for, e.g. `linux/arm64` or `${BUILDPLATFORM}` to run
    /// natively while cross-compiling. Defaults to the target's platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Sp<String>>,
    /// What this stage is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Packages to install with the base image's package manager (apt, apk or dnf), before
    /// the steps: a list of `name` or `name=version`, or a map with `install` and options.
    #[serde(default, skip_serializing_if = "Packages::is_empty")]
    pub packages: Packages,
    /// Environment for every step of this stage and for the image, like Dockerfile `ENV`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
    /// Working directory for the steps and the image (absolute). Created if missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub workdir: Option<Sp<String>>,
    /// User (name or uid, optionally `:group`) that runs the steps and the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub user: Option<Sp<String>>,
    /// Ordered build steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Sp<Step>>,
    /// Config of the image made from this stage. Unset fields are inherited from the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageConfig>,
}
