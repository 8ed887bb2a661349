//! Helpers shared by the end-to-end test files (each file uses some of them).
#![allow(dead_code)]

use kiln_testbed::{Build, Engine, Image, sha256_hex, unique_tag};
use std::path::{Path, PathBuf};

/// The kiln frontend image the tests build with: `KILN_FRONTEND_IMAGE` (an image built from
/// a branch, `KILN_FRONTEND_IMAGE=... scripts/frontend-image.sh`), default the one
/// scripts/test.sh builds.
pub fn frontend_image() -> String {
    std::env::var("KILN_FRONTEND_IMAGE").unwrap_or_else(|_| "localhost:5000/kiln:dev".into())
}

/// A build context with the given files; `kiln.yaml` gets the syntax line (of
/// `frontend_image()`).
pub fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = if name.ends_with(".yaml") || name.ends_with(".hcl") {
            format!("# syntax={}\n{content}", frontend_image())
        } else {
            content.to_string()
        };
        std::fs::write(path, text).unwrap();
    }
    dir
}

pub fn kiln_build(dir: &Path) -> Build {
    Build {
        file: Some(PathBuf::from("kiln.yaml")),
        ..Build::new(dir)
    }
}

pub fn build_and_save(engine: &Engine, build: &Build) -> Image {
    let tag = unique_tag("kiln-e2e/image");
    engine
        .build_image(build, &tag)
        .unwrap_or_else(|log| panic!("[{}] build failed:\n{log}", engine.name));
    let image = engine.save(&tag);
    engine.remove_image(&tag);
    image
}

pub fn file_is(image: &Image, path: &str, content: &str) -> bool {
    image.file_sha256(path) == Some(sha256_hex(content.as_bytes()).as_str())
}

/// A context holding an example file (as `kiln.yaml`) and the given files.
pub fn example_context(example: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(example),
    )
    .unwrap();
    let dir = context(files);
    // The examples carry their own `# syntax=` line.
    std::fs::write(dir.path().join("kiln.yaml"), text).unwrap();
    dir
}

/// Run a command and fail with its output unless it succeeds.
pub fn run_ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
