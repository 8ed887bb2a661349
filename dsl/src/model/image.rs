//! The config of the image made from a stage, and its health check.

use super::forms::{Scalar, ScalarMap};
use super::{ABSOLUTE_PATH_PATTERN, Command, StringMap};
use crate::span::Sp;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// The config of an image built from a stage. Unset fields are inherited from the base image,
/// as Docker does.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageConfig {
    /// Program the container runs. Setting it clears an inherited `cmd`, as in a Dockerfile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Sp<Command>>,
    /// Default arguments (or command when there is no entrypoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Sp<Command>>,
    /// Environment stored in the image only (the stage's `env` is stored too).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
    /// User the container runs as.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub user: Option<Sp<String>>,
    /// Working directory of the container (absolute).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub workdir: Option<Sp<String>>,
    /// Ports the container listens on: `8080`, `8080/tcp` or `53/udp`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<Scalar>")]
    pub expose: Vec<Sp<String>>,
    /// Paths that are volumes (absolute).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = ABSOLUTE_PATH_PATTERN)))]
    pub volumes: Vec<Sp<String>>,
    /// Image labels.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub labels: StringMap,
    /// How to check that the container is healthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// Signal that stops the container, e.g. `SIGTERM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopsignal: Option<Sp<String>>,
}

/// A container health check, as Dockerfile `HEALTHCHECK`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    /// The check command: a shell string or an argv list. Omit with `disable: true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<Sp<Command>>,
    /// Turn off a health check inherited from the base image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable: Option<Sp<bool>>,
    /// Time between checks, e.g. `30s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Sp<String>>,
    /// Time after which one check counts as failed, e.g. `5s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Sp<String>>,
    /// Time the container gets to start before failures count, e.g. `10s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<Sp<String>>,
    /// Consecutive failures before the container is unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<Sp<u32>>,
}
