//! Lowering: a checked kiln model → a BuildKit LLB `Definition` and the OCI image config of
//! one target on one platform. A pure function: no I/O; whatever the builder knows (base
//! image configs, caps, build args) comes in through `LowerOptions`.

mod caps;
mod dag;
mod image;
pub mod json;
mod lower;
mod platform;
mod sources;
mod steps;

pub use caps::{CapSet, introduced_in};
pub use image::{ContainerConfig, History, ImageConfig};
pub use lower::{LowerOptions, Lowered, lower, select_target};
pub use sources::normalize_image;
