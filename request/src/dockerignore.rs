//! `.dockerignore` with Docker's rules: patterns match a path or any of its parent
//! directories, `**` spans directories, `!` re-includes, the last match wins. (A library
//! module, so the fuzz targets reach it too.)

use globset::{GlobBuilder, GlobMatcher};
use kiln_dsl::budget::MAX_DOCKERIGNORE_BYTES;
use std::path::Path;

/// The pattern lines of a `.dockerignore` read as `bytes` (comments and blank lines left
/// out), the same in the CLI and the frontend; a file over the budget is an error naming
/// `what`.
pub fn pattern_lines(bytes: &[u8], what: &str) -> Result<Vec<String>, String> {
    if bytes.len() > MAX_DOCKERIGNORE_BYTES {
        return Err(too_large(what));
    }
    Ok(lines(&String::from_utf8_lossy(bytes))
        .map(str::to_string)
        .collect())
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The error for a `.dockerignore` over the budget.
fn too_large(path: &str) -> String {
    format!(
        "{path} is larger than {} KiB, the most kiln reads of a .dockerignore (it holds \
         patterns, not data: docs/format.md, \"Limits\")",
        MAX_DOCKERIGNORE_BYTES >> 10
    )
}

struct Rule {
    matcher: GlobMatcher,
    include: bool,
}

/// `.dockerignore` rules of a context directory (none when it has no such file).
pub struct Ignore(Vec<Rule>);

impl Ignore {
    pub fn read(context: &Path) -> Result<Ignore, String> {
        use std::io::Read;
        let path = context.join(".dockerignore");
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ignore(Vec::new())),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        // One byte past the budget tells a file over it from one exactly at it.
        let mut bytes = Vec::new();
        file.take(MAX_DOCKERIGNORE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let lines = pattern_lines(&bytes, &path.display().to_string())?;
        Ignore::from_lines(lines.iter().map(String::as_str))
    }

    pub fn parse(text: &str) -> Result<Ignore, String> {
        Ignore::from_lines(lines(text))
    }

    /// The rules of pattern lines (as [`pattern_lines`] gives them).
    fn from_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Ignore, String> {
        let mut rules = Vec::new();
        for line in lines {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dockerignore_over_the_budget_is_refused_and_one_at_it_is_read() {
        let dir = std::env::temp_dir().join(format!("kiln-dockerignore-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let line = format!("{}\n", "a".repeat(1023));
        let at_budget = line.repeat(MAX_DOCKERIGNORE_BYTES / line.len());
        std::fs::write(dir.join(".dockerignore"), &at_budget).unwrap();
        assert!(Ignore::read(&dir).is_ok());
        std::fs::write(dir.join(".dockerignore"), format!("{at_budget}b")).unwrap();
        let refused = Ignore::read(&dir).err().unwrap_or_default();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            refused.ends_with(
                ".dockerignore is larger than 1024 KiB, the most kiln reads of a \
                 .dockerignore (it holds patterns, not data: docs/format.md, \"Limits\")"
            ),
            "{refused}"
        );
    }
}
