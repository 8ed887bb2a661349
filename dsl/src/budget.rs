//! kiln's budgets: every bound on the work a build file can make kiln do, in one place and
//! documented in docs/format.md ("Limits"). Each is checked before the expensive work and
//! reported as a located `kiln::limit` (or `kiln::too-large`) diagnostic, the same in the CLI
//! and in the frontend, which share this code.

/// The largest build file read, in bytes (`kiln check --max-file-size` changes it there).
pub const MAX_FILE_BYTES: usize = 8 << 20;
/// The deepest nesting of YAML lists and maps, or HCL brackets.
pub const MAX_DEPTH: usize = 48;
/// The most YAML nodes, counting those copied by aliases (scaled down for small files).
pub const MAX_NODES: usize = 2_000_000;
/// The most YAML alias uses (`*name`).
pub const MAX_ALIASES: usize = 10_000;
/// The largest string after `${...}` interpolation, and the largest HCL value: 64 KiB.
/// (Linux refuses any single argument over 128 KiB anyway.)
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// The most diagnostics a human report prints, and the frontend sends as warnings (JSON
/// lists every one): past a few hundred a report helps nobody, and each costs time.
pub const MAX_HUMAN_DIAGNOSTICS: usize = 200;
/// The largest `.dockerignore` read, in bytes: patterns, not data (Docker's own are a few
/// hundred bytes); each path of the context is matched against every pattern.
pub const MAX_DOCKERIGNORE_BYTES: usize = 1 << 20;
/// The most targets one build (a group) makes: as many as one matrix may make. Past a few
/// hundred results BuildKit's exporters stall (measured: 250 local folders on both engines).
pub const MAX_BUILD_TARGETS: usize = 256;
