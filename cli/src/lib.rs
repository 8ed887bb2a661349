//! The parts of the `kiln` command that are plain functions of their input, as a library:
//! the binary uses them, and so do the fuzz targets (fuzz/).

pub mod dockerignore;
