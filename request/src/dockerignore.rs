//! `.dockerignore` with Docker's rules: patterns match a path or any of its parent
//! directories, `**` spans directories, `!` re-includes, the last match wins. (A library
//! module, so the fuzz targets reach it too.)

use globset::{GlobBuilder, GlobMatcher};
use std::path::Path;

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
