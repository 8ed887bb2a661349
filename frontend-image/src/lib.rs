//! The frontend's request parsing, as a library: the binary (main.rs) uses it, and so do the
//! fuzz targets (fuzz/), which drive the request path with options and a file in memory.

pub mod options;
pub mod request;
