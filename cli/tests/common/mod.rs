//! What the `kiln` binary's tests share: running it in a folder, its output as text, and the
//! file of the arg-precedence tests (offline and on the engines).
#![allow(dead_code)] // each test file uses part of it

use std::path::Path;
use std::process::{Command, Output};

/// `worker` sets VERSION in its `args`; `plain` does not.
pub const ARG_PRECEDENCE_FILE: &str = r#"# syntax=localhost:5000/kiln:dev
version: 1
args:
  VERSION: "0.1"
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - run: echo ${VERSION} > /v
targets:
  worker:
    stage: app
    args: { VERSION: 0.1.1 }
  plain:
    stage: app
"#;

/// A folder with `kiln.yaml` holding `file`.
pub fn context(file: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), file).unwrap();
    dir
}

/// Run `kiln ARGS` in `dir`.
pub fn kiln(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("kiln runs")
}

/// Standard output then standard error, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
