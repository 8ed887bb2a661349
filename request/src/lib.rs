//! What a kiln build is asked to do, as plain functions of their input (no I/O):
//! - [`options`]: the options and environment BuildKit gives the frontend;
//! - [`request`]: those options parsed once into a typed [`request::Request`];
//! - [`dockerignore`]: the build context's `.dockerignore` patterns, as the CLI applies them.
//!
//! The frontend binary, the `kiln` command and the fuzz targets (fuzz/) all use it.

pub mod dockerignore;
pub mod options;
pub mod request;
