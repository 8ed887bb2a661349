//! The conformance corpus (`tests/conformance/<peer>/<case>/`): one directory per case, with
//! the peer's build file (a `Dockerfile`), its kiln twin (`kiln.yaml`), context files, and a
//! `case.toml` naming the upstream tests it comes from and what is expected of it.
//!
//! `case.toml` is a small TOML subset: `key = "string"` or `key = ["a", "b"]` lines, `#`
//! comments, and one `[exclude]` table of `"/path" = "reason"` (or `"config.Field"`).

use crate::compare::Difference;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a case expects of kiln against its twin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The two images are the same (files, modes, owners, contents, config).
    Pass,
    /// A deliberate difference, documented in docs/format.md: the differences are exactly
    /// `expected` (as `Difference` prints them), which asserts kiln's own behaviour.
    Differs { reason: String },
    /// A gap kiln has yet to close: asserted to still differ (or fail to build), so fixing
    /// it makes the case fail until its status says `pass`.
    KnownFailure { reason: String },
}

/// One case of the corpus.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    /// `frontend/dockerfile/<file>_test.go: testName`, one or more.
    pub upstream: Vec<String>,
    /// The status on every engine, unless `per_engine` says otherwise.
    pub status: Status,
    pub per_engine: BTreeMap<String, Status>,
    /// The engines it runs on (default: every engine), and why not the others.
    pub engines: Option<Vec<String>>,
    pub engines_reason: Option<String>,
    /// For `differs`: the differences, as printed by `Difference`.
    pub expected: Vec<String>,
    /// Both files are built with each of these `--target`s, and each pair compared (none:
    /// the default target). Several targets batch related upstream tests in one case.
    pub targets: Vec<String>,
    /// `--secret id=NAME,src=FILE` with FILE relative to the case directory.
    pub secrets: Vec<String>,
    /// Build args for both builds.
    pub build_args: Vec<(String, String)>,
    /// A directory of the case served over HTTP while it builds; both builds get its URL
    /// as the build arg `SERVER` (`http://127.0.0.1:PORT`: BuildKit downloads from the
    /// daemon's network).
    pub serve: Option<String>,
    /// Named build contexts (`NAME=DIR` relative to the case, or `NAME=docker-image://REF`).
    pub contexts: Vec<(String, String)>,
    /// Entitlements both builds ask for (`network.host`, `security.insecure`); on buildkitd
    /// the case runs on a daemon started with `--allow-insecure-entitlement` for them.
    pub allow: Vec<String>,
    /// More client flags for both builds, the same for every client (`--no-cache`).
    pub flags: Vec<String>,
    /// A directory of the case made into a git repository and served over HTTP: each of its
    /// subdirectories (in name order) is the whole tree of one commit, tagged with the
    /// subdirectory's name. Both builds get `GIT` (the repository's URL) and `COMMIT_<TAG>`
    /// (the tag's commit hash; `.` and `-` in the tag become `_`) as build args.
    pub git: Option<String>,
    /// The repository's object format (`git_format`): `sha1` (default) or `sha256`.
    pub git_format: String,
    /// Paths (and `config.Field`s) left out of the comparison, with why.
    pub exclude: BTreeMap<String, String>,
}

impl Case {
    /// The status on `engine`.
    pub fn status_on(&self, engine: &str) -> &Status {
        self.per_engine.get(engine).unwrap_or(&self.status)
    }

    pub fn runs_on(&self, engine: &str) -> bool {
        self.engines
            .as_ref()
            .is_none_or(|e| e.iter().any(|n| n == engine))
    }

    /// The differences that count: those not excluded.
    pub fn counted(&self, diffs: Vec<Difference>) -> Vec<Difference> {
        diffs.into_iter().filter(|d| !self.excluded(d)).collect()
    }

    fn excluded(&self, diff: &Difference) -> bool {
        let path = match diff {
            Difference::OnlyInLeft(p) | Difference::OnlyInRight(p) => p,
            Difference::Kind { path, .. }
            | Difference::Mode { path, .. }
            | Difference::Owner { path, .. } => path,
            Difference::Config { field, .. } => {
                return self.exclude.contains_key(&format!("config.{field}"));
            }
        };
        self.exclude
            .keys()
            .any(|e| path == e || path.starts_with(&format!("{e}/")))
    }
}

/// Whether the differences a case found (as `Difference` prints them, or why a build
/// failed) meet its status: `None` when they do, else what is wrong.
pub fn judge(status: &Status, expected: &[String], diffs: &[String]) -> Option<String> {
    match status {
        Status::Pass if diffs.is_empty() => None,
        Status::Pass => Some(format!("differs from its twin:\n  {}", diffs.join("\n  "))),
        Status::Differs { .. } if diffs == expected => None,
        Status::Differs { .. } => Some(format!(
            "documented differences {expected:?}, found:\n  {}",
            diffs.join("\n  ")
        )),
        Status::KnownFailure { .. } if !diffs.is_empty() => None,
        Status::KnownFailure { reason } => Some(format!(
            "a known failure ({reason}) now passes: set `status = \"pass\"` in its case.toml"
        )),
    }
}

/// Every case under `root`, by name; an error names the file, the line and the fix.
pub fn load_corpus(root: &Path) -> Result<Vec<Case>, String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|e| format!("{}: {e}", root.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    names.iter().map(|dir| load_case(dir)).collect()
}

/// The engine (`""` for all) → (status, reason) of a case, as written.
type Statuses = BTreeMap<String, (String, Option<String>)>;

/// The top-level keys of a case file into `case`; the statuses are returned to be checked.
fn read_keys(
    case: &mut Case,
    top: Vec<(String, (usize, Value))>,
    file: &Path,
) -> Result<Statuses, String> {
    let mut statuses = Statuses::new();
    for (key, (line, value)) in top {
        let bad = |why: &str| format!("{}:{line}: `{key}` {why}", file.display());
        match (key.as_str(), value) {
            ("upstream", v) => case.upstream = v.list(),
            ("target" | "targets", v) => case.targets = v.list(),
            ("engines", Value::List(l)) => case.engines = Some(l),
            ("engines_reason", Value::Str(s)) => case.engines_reason = Some(s),
            ("expected", v) => case.expected = v.list(),
            ("secrets", v) => case.secrets = v.list(),
            ("serve", Value::Str(s)) => case.serve = Some(s),
            ("allow", v) => case.allow = v.list(),
            ("flags", v) => case.flags = v.list(),
            ("git", Value::Str(s)) => case.git = Some(s),
            ("git_format", Value::Str(s)) if s == "sha1" || s == "sha256" => case.git_format = s,
            ("build_args", v) => case.build_args = pairs(v).map_err(|why| bad(&why))?,
            ("contexts", v) => case.contexts = pairs(v).map_err(|why| bad(&why))?,
            (k, Value::Str(s)) if k == "status" || k.starts_with("status_") => {
                let engine = k.strip_prefix("status_").unwrap_or("").to_string();
                statuses.entry(engine).or_default().0 = s;
            }
            (k, Value::Str(s)) if k == "reason" || k.starts_with("reason_") => {
                let engine = k.strip_prefix("reason_").unwrap_or("").to_string();
                statuses.entry(engine).or_default().1 = Some(s);
            }
            _ => {
                return Err(bad(
                    "is not a case key (upstream, status[_ENGINE], reason[_ENGINE], expected, \
                     engines, engines_reason, target[s], secrets, build_args, serve, contexts, \
                     allow, flags, git, git_format = sha1|sha256) of this type",
                ));
            }
        }
    }
    Ok(statuses)
}

/// `NAME=VALUE` entries as pairs.
fn pairs(value: Value) -> Result<Vec<(String, String)>, String> {
    value
        .list()
        .iter()
        .map(|entry| {
            let (k, v) = entry.split_once('=').ok_or("entries are NAME=VALUE")?;
            Ok((k.to_string(), v.to_string()))
        })
        .collect()
}

/// One case directory.
pub fn load_case(dir: &Path) -> Result<Case, String> {
    let file = dir.join("case.toml");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let table = parse(&text).map_err(|(line, why)| format!("{}:{line}: {why}", file.display()))?;
    let at = |why: String| format!("{}: {why}", file.display());
    for needed in ["Dockerfile", "kiln.yaml"] {
        if !dir.join(needed).is_file() {
            return Err(at(format!(
                "the case has no {needed}: add it beside case.toml"
            )));
        }
    }
    let mut case = Case {
        name,
        dir: dir.to_path_buf(),
        upstream: Vec::new(),
        status: Status::Pass,
        per_engine: BTreeMap::new(),
        engines: None,
        engines_reason: None,
        expected: Vec::new(),
        targets: Vec::new(),
        secrets: Vec::new(),
        build_args: Vec::new(),
        serve: None,
        contexts: Vec::new(),
        allow: Vec::new(),
        flags: Vec::new(),
        git: None,
        git_format: "sha1".into(),
        exclude: BTreeMap::new(),
    };
    let statuses = read_keys(&mut case, table.top, &file)?;
    case.exclude = table.exclude;
    if case.upstream.is_empty() {
        return Err(at(
            "no `upstream`: name the upstream test(s), `file_test.go: testName`".into(),
        ));
    }
    for (engine, (status, reason)) in statuses {
        let status = to_status(&status, reason).map_err(at)?;
        if engine.is_empty() {
            case.status = status;
        } else {
            case.per_engine.insert(engine, status);
        }
    }
    if case.engines.is_some() && case.engines_reason.is_none() {
        return Err(at(
            "`engines` needs `engines_reason`: why not the others".into()
        ));
    }
    Ok(case)
}

fn to_status(status: &str, reason: Option<String>) -> Result<Status, String> {
    let need = |reason: Option<String>| {
        reason.ok_or_else(|| format!("status `{status}` needs a `reason`"))
    };
    match status {
        "pass" | "" => Ok(Status::Pass),
        "differs" => Ok(Status::Differs {
            reason: need(reason)?,
        }),
        "known_failure" => Ok(Status::KnownFailure {
            reason: need(reason)?,
        }),
        other => Err(format!(
            "status `{other}`: write `pass`, `differs` or `known_failure`"
        )),
    }
}

enum Value {
    Str(String),
    List(Vec<String>),
}

impl Value {
    fn list(self) -> Vec<String> {
        match self {
            Value::Str(s) => vec![s],
            Value::List(l) => l,
        }
    }
}

#[derive(Default)]
struct Table {
    top: Vec<(String, (usize, Value))>,
    exclude: BTreeMap<String, String>,
}

/// The TOML subset of case files; errors are (line, why).
fn parse(text: &str) -> Result<Table, (usize, String)> {
    let mut table = Table::default();
    let mut in_exclude = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with('[') && !trimmed.contains('=') {
            if trimmed != "[exclude]" {
                return Err((line, "the only table is `[exclude]`".into()));
            }
            in_exclude = true;
            continue;
        }
        let (key, value) = trimmed
            .split_once('=')
            .ok_or((line, "expected `key = value`".to_string()))?;
        let key = key.trim().trim_matches('"').to_string();
        let value = parse_value(value.trim()).map_err(|why| (line, why))?;
        if in_exclude {
            let Value::Str(reason) = value else {
                return Err((line, "an exclusion's value is its reason, a string".into()));
            };
            table.exclude.insert(key, reason);
        } else {
            table.top.push((key, (line, value)));
        }
    }
    Ok(table)
}

fn parse_value(text: &str) -> Result<Value, String> {
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or("a list ends with `]` on the same line")?;
        let mut items = Vec::new();
        let mut rest = inner.trim();
        while !rest.is_empty() {
            let (item, after) = string(rest)?;
            items.push(item);
            rest = after.trim_start().trim_start_matches(',').trim_start();
        }
        return Ok(Value::List(items));
    }
    let (s, rest) = string(text)?;
    let rest = rest.trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return Err(format!("unexpected `{rest}` after the string"));
    }
    Ok(Value::Str(s))
}

/// A basic TOML string (`\"` and `\\` escapes) at the start of `text`, and what follows.
fn string(text: &str) -> Result<(String, &str), String> {
    let body = text
        .strip_prefix('"')
        .ok_or_else(|| format!("expected a \"string\", found `{text}`"))?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some((_, 'n')) => out.push('\n'),
                _ => return Err("unknown escape in a string".into()),
            },
            c => out.push(c),
        }
    }
    Err("a string is not closed".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_files_parse_with_located_errors() {
        let table = parse(
            "# c\nupstream = [\"a_test.go: testA\", \"b\"]\nstatus = \"pass\" # ok\n[exclude]\n\"/x\" = \"why\"\n",
        )
        .unwrap();
        assert_eq!(table.top.len(), 2);
        assert_eq!(table.exclude["/x"], "why");
        assert_eq!(parse("x = 1\n").err().unwrap().0, 1);
        assert!(parse("[other]\n").is_err());
        assert!(to_status("differs", None).is_err());
        assert!(
            to_status("skip", None)
                .unwrap_err()
                .contains("known_failure")
        );
    }

    #[test]
    fn each_status_asserts_what_it_says() {
        let found = vec!["/a: only in the left image".to_string()];
        let none: Vec<String> = Vec::new();
        assert_eq!(judge(&Status::Pass, &[], &none), None);
        assert!(
            judge(&Status::Pass, &[], &found)
                .unwrap()
                .contains("/a: only")
        );
        let differs = Status::Differs { reason: "r".into() };
        assert_eq!(judge(&differs, &found, &found), None);
        assert!(
            judge(&differs, &found, &none).is_some(),
            "the difference must stay"
        );
        assert!(
            judge(&differs, &[], &found).is_some(),
            "and be the documented one"
        );
        let known = Status::KnownFailure {
            reason: "gap".into(),
        };
        assert_eq!(judge(&known, &[], &found), None);
        let flipped = judge(&known, &[], &none).unwrap();
        assert!(flipped.contains("now passes") && flipped.contains("status = \"pass\""));
    }

    /// Every case of the committed corpus loads, has its files, and is in the README.
    #[test]
    fn the_dockerfile_corpus_is_well_formed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/dockerfile");
        let cases = load_corpus(&root).unwrap_or_else(|e| panic!("{e}"));
        assert!(!cases.is_empty());
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        for case in &cases {
            assert!(
                readme.contains(&format!("`{}`", case.name)),
                "{}: list the case in {}/README.md",
                case.name,
                root.display()
            );
            for upstream in &case.upstream {
                let (file, test) = upstream.split_once(": ").unwrap_or_else(|| {
                    panic!(
                        "{}: upstream `{upstream}` is `file_test.go: testName`",
                        case.name
                    )
                });
                assert!(
                    file.starts_with("frontend/dockerfile/")
                        && (test.starts_with("test") || test.starts_with("Test")),
                    "{}: upstream `{upstream}`",
                    case.name
                );
            }
        }
    }
}
