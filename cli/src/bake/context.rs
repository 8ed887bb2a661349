//! The build context as the tar Docker's build API takes. The daemon does not apply
//! `.dockerignore` to a tar body, so we do, with Docker's rules: patterns match a path or any
//! of its parent directories, `**` spans directories, `!` re-includes, the last match wins.

use globset::{GlobBuilder, GlobMatcher};
use std::path::{Path, PathBuf};

struct Rule {
    matcher: GlobMatcher,
    include: bool,
}

/// `.dockerignore` rules of a context directory (none when it has no such file).
pub struct Ignore(Vec<Rule>);

impl Ignore {
    pub fn read(context: &Path) -> Result<Ignore, String> {
        match std::fs::read_to_string(context.join(".dockerignore")) {
            Ok(text) => Ignore::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ignore(Vec::new())),
            Err(e) => Err(format!("cannot read .dockerignore: {e}")),
        }
    }

    pub fn parse(text: &str) -> Result<Ignore, String> {
        let mut rules = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (include, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let pattern = pattern
                .trim_start_matches("./")
                .trim_start_matches('/')
                .trim_end_matches('/');
            if pattern.is_empty() {
                continue;
            }
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!(".dockerignore: `{line}`: {e}"))?;
            rules.push(Rule {
                matcher: glob.compile_matcher(),
                include,
            });
        }
        Ok(Ignore(rules))
    }

    /// True when `relative` (slash-separated, relative to the context) is left out.
    pub fn excludes(&self, relative: &str) -> bool {
        let mut excluded = false;
        for rule in &self.0 {
            let mut path = Some(relative);
            while let Some(p) = path {
                if rule.matcher.is_match(p) {
                    excluded = !rule.include;
                    break;
                }
                path = p.rfind('/').map(|i| &p[..i]);
            }
        }
        excluded
    }
}

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
