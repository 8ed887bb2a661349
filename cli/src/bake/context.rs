//! The build context as the tar Docker's build API takes. The daemon does not apply
//! `.dockerignore` to a tar body, so we do (with Docker's rules: src/dockerignore.rs).

use kiln_request::dockerignore::Ignore;
use std::path::{Path, PathBuf};

/// A tar of `context` without what `.dockerignore` excludes, plus the build file at
/// `file_in_tar` (always sent, as the docker CLI does).
pub fn tar_context(context: &Path, file: &Path, file_in_tar: &str) -> Result<Vec<u8>, String> {
    let ignore = Ignore::read(context)?;
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    let mut stack: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let dir = context.join(&relative);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let rel = relative.join(entry.file_name());
            let name = rel.to_string_lossy().replace('\\', "/");
            if name == file_in_tar || ignore.excludes(&name) {
                continue;
            }
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            builder
                .append_path_with_name(entry.path(), &rel)
                .map_err(|e| format!("cannot add {name} to the context: {e}"))?;
            if kind.is_dir() {
                stack.push(rel);
            }
        }
    }
    builder
        .append_path_with_name(file, file_in_tar)
        .map_err(|e| format!("cannot add {}: {e}", file.display()))?;
    builder.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_rules() {
        let ignore =
            Ignore::parse("# comment\nsecret.txt\n*.log\nbuild/\n**/node_modules\n!keep.log\n")
                .unwrap();
        assert!(ignore.excludes("secret.txt"));
        assert!(
            !ignore.excludes("dir/secret.txt"),
            "a pattern is anchored at the context root"
        );
        assert!(ignore.excludes("a.log"));
        assert!(!ignore.excludes("keep.log"), "`!` re-includes");
        assert!(
            ignore.excludes("build/out/bin"),
            "a directory excludes what is in it"
        );
        assert!(ignore.excludes("web/app/node_modules/x.js"));
        assert!(!ignore.excludes("src/main.rs"));
    }

    #[test]
    fn the_tar_leaves_out_ignored_files_but_keeps_the_build_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".dockerignore"), "secret.txt\nkiln.yaml\n").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/a.txt"), "a").unwrap();
        std::fs::write(dir.path().join("kiln.yaml"), "version: 1").unwrap();
        let bytes = tar_context(dir.path(), &dir.path().join("kiln.yaml"), "kiln.yaml").unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(names.contains(&"src/a.txt".to_string()), "{names:?}");
        assert!(names.contains(&"kiln.yaml".to_string()), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("secret")), "{names:?}");
    }
}
