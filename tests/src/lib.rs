//! Helpers for kiln's end-to-end tests, on the real engines of the test bench
//! (`scripts/testbed.sh up`): run builds, export images, and compare two images file by file
//! and config field by config field. The comparison is how kiln proves Dockerfile parity.

mod buildctl;
mod compare;
pub mod conformance;
mod engine;
mod image;
mod serve;

pub use buildctl::{EmptyBuildkitd, build as buildctl_build, command as buildctl_command};
pub use compare::{Difference, compare};
pub use engine::{Build, Engine, EngineKind, unique_tag};
pub use image::{Entry, Image, Kind, sha256_hex};
pub use serve::{FileServer, GitRepo, manifest_list_architectures};
