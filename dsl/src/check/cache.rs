//! Targets' caches (`cache_from`, `cache_to`): each entry is the CSV text `docker buildx
//! bake` takes (`type=registry,ref=localhost:5000/app:cache,mode=max`). They are checked
//! here, with bake's parsing rules, so a typo fails `kiln check` and not a build minutes in.

use super::Checker;
use crate::diagnostic::{Code, catalogue};
use crate::model::StringMap;
use crate::reference;
use crate::span::Sp;

/// The cache backends BuildKit has.
pub const CACHE_TYPES: &[&str] = &["registry", "local", "inline", "gha", "s3", "azblob"];
/// The values of `mode`.
pub const MODES: &[&str] = &["min", "max"];

/// Which way a cache goes: a `local` cache reads `src` and writes `dest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Import,
    Export,
}

/// A byte range in an entry's text: (offset, length).
pub type Range = (usize, usize);

/// One `key=value` option. Keys are lowercased, as bake does.
#[derive(Debug)]
struct Field {
    key: String,
    value: String,
    /// The value's range, or the whole field's when it is quoted.
    value_range: Range,
}

/// One cache as BuildKit receives it.
#[derive(Debug)]
struct Cache {
    kind: Option<Field>,
    attrs: Vec<Field>,
}

impl Cache {
    fn get(&self, key: &str) -> Option<&Field> {
        self.attrs.iter().rev().find(|f| f.key == key)
    }
}

/// What is wrong with an entry, at a range of its text: the words of a diagnostic, made by
/// the catalogue's `cache_*` constructors, before the range is a span of the file.
#[derive(Debug)]
pub struct Problem {
    pub code: Code,
    pub range: Range,
    pub message: String,
    pub label: String,
    pub help: String,
}

pub(super) fn check(cx: &mut Checker<'_>) {
    for target in cx.model.targets.values() {
        let entries = (target.cache_from.iter().map(|e| (e, Direction::Import)))
            .chain(target.cache_to.iter().map(|e| (e, Direction::Export)));
        for (entry, direction) in entries {
            check_entry(cx, entry, direction, &target.args);
        }
    }
}

fn check_entry(cx: &mut Checker<'_>, entry: &Sp<String>, direction: Direction, args: &StringMap) {
    // `${NAME}` is expanded as in tags; with a value known only at build time there is
    // nothing certain to check.
    let Some(text) = cx.substitute_args_for(&entry.value, Some(args)) else {
        return;
    };
    for problem in problems(&text, direction) {
        // Ranges are in the expanded text: they fit the file only when nothing was expanded.
        let span = if text == entry.value {
            cx.sub_span(entry, problem.range.0, problem.range.1.max(1))
        } else {
            entry.span
        };
        cx.report(catalogue::cache_problem(problem, span));
    }
}

/// Everything wrong with one entry. An empty entry is skipped, as bake does (so
/// `"${CACHE_TO}"` with an empty default turns a cache off).
pub fn problems(text: &str, direction: Direction) -> Vec<Problem> {
    if text.is_empty() {
        return Vec::new();
    }
    match parse(text) {
        Ok(caches) => caches
            .iter()
            .flat_map(|c| cache_problems(c, text, direction))
            .collect(),
        Err(problem) => vec![problem],
    }
}

/// The caches an entry names, each as its options (`type` among them), read the way the
/// checks read it: for tools that hand entries on (kiln bake's Docker Engine path).
pub fn attributes(text: &str) -> Result<Vec<std::collections::BTreeMap<String, String>>, String> {
    let caches = parse(text).map_err(|p| p.message)?;
    Ok(caches
        .into_iter()
        .map(|cache| {
            cache
                .kind
                .into_iter()
                .chain(cache.attrs)
                .map(|field| (field.key, field.value))
                .collect()
        })
        .collect())
}

/// Bake's reading of an entry: CSV fields of `key=value`; with no `=` at all, each field is
/// an image reference, short for `type=registry,ref=<reference>`.
fn parse(text: &str) -> Result<Vec<Cache>, Problem> {
    let fields = csv_fields(text).map_err(catalogue::cache_malformed_quote)?;
    if !text.contains('=') {
        return Ok(fields
            .into_iter()
            .map(|(value, at, len)| Cache {
                kind: Some(Field {
                    key: "type".into(),
                    value: "registry".into(),
                    value_range: (at, len),
                }),
                attrs: vec![Field {
                    key: "ref".into(),
                    value,
                    value_range: (at, len),
                }],
            })
            .collect());
    }
    let mut cache = Cache {
        kind: None,
        attrs: Vec::new(),
    };
    for (field, at, len) in fields {
        let Some((key, value)) = field.split_once('=') else {
            // An empty field is a stray comma: point at it.
            return Err(if field.is_empty() {
                catalogue::cache_empty_option((at.saturating_sub(1), 1))
            } else {
                catalogue::cache_option_not_key_value(&field, (at, len))
            });
        };
        let quoted = text[at..].starts_with('"');
        let value_range = if quoted {
            (at, len)
        } else {
            (at + key.len() + 1, value.len())
        };
        let field = Field {
            key: key.to_ascii_lowercase(),
            value: value.to_string(),
            value_range,
        };
        if field.key == "type" {
            cache.kind = Some(field);
        } else {
            cache.attrs.push(field);
        }
    }
    Ok(vec![cache])
}

/// Split a line into CSV fields as Go's encoding/csv does (bake reads entries with it): a
/// field that starts with `"` is quoted, `""` in it is one quote, and a quote elsewhere is
/// an error. Each field comes with its range; an error is the malformed field's range.
fn csv_fields(text: &str) -> Result<Vec<(String, usize, usize)>, Range> {
    let mut fields = Vec::new();
    let mut start = 0;
    loop {
        let rest = &text[start..];
        let (value, len) = match rest.strip_prefix('"') {
            Some(quoted) => {
                let (value, len) = unquote(quoted).ok_or((start, rest.len()))?;
                let after = &rest[len..];
                if !(after.is_empty() || after.starts_with(',')) {
                    return Err((start, len + after.find(',').unwrap_or(after.len())));
                }
                (value, len)
            }
            None => {
                let len = rest.find(',').unwrap_or(rest.len());
                if rest[..len].contains('"') {
                    return Err((start, len));
                }
                (rest[..len].to_string(), len)
            }
        };
        fields.push((value, start, len));
        start += len;
        if start >= text.len() {
            return Ok(fields);
        }
        start += 1; // the comma
    }
}

/// The text of a quoted field (after its opening quote) and the field's length with both
/// quotes; `None` when the closing quote is missing.
fn unquote(quoted: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = quoted.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            value.push(c);
        } else if chars.next_if(|&(_, c)| c == '"').is_some() {
            value.push('"');
        } else {
            return Some((value, i + 2));
        }
    }
    None
}

fn cache_problems(cache: &Cache, text: &str, direction: Direction) -> Vec<Problem> {
    let whole = (0, text.len());
    let Some(kind) = &cache.kind else {
        return vec![catalogue::cache_without_type(text, whole)];
    };
    let mut problems = Vec::new();
    if !CACHE_TYPES.contains(&kind.value.as_str()) {
        problems.push(catalogue::cache_unknown_type(&kind.value, kind.value_range));
    }
    if let Some(mode) = cache.get("mode")
        && !MODES.contains(&mode.value.as_str())
    {
        problems.push(catalogue::cache_invalid_mode(&mode.value, mode.value_range));
    }
    problems.extend(missing_attr(cache, &kind.value, direction, whole));
    problems.extend(bad_ref(cache, &kind.value));
    problems
}

/// The attribute BuildKit cannot do without: a registry cache's `ref`, a local cache's
/// `src` (import) or `dest` (export).
fn missing_attr(cache: &Cache, kind: &str, direction: Direction, whole: Range) -> Option<Problem> {
    let (key, what, example) = match (kind, direction) {
        ("registry", _) => (
            "ref",
            "a `registry` cache",
            "type=registry,ref=localhost:5000/app:cache",
        ),
        ("local", Direction::Import) => {
            ("src", "a `local` cache import", "type=local,src=/tmp/cache")
        }
        ("local", Direction::Export) => (
            "dest",
            "a `local` cache export",
            "type=local,dest=/tmp/cache",
        ),
        _ => return None,
    };
    let missing = cache.get(key).is_none();
    missing.then(|| catalogue::cache_missing_option(what, key, example, whole))
}

/// A registry cache's `ref` that is not an image reference (unless `${...}` builds it).
fn bad_ref(cache: &Cache, kind: &str) -> Option<Problem> {
    let r = cache.get("ref").filter(|_| kind == "registry")?;
    if r.value.contains('$') {
        return None;
    }
    let why = reference::parse(&r.value).err()?;
    Some(catalogue::cache_invalid_ref(&r.value, why, r.value_range))
}

#[cfg(test)]
mod tests {
    #[test]
    fn attributes_read_quotes_and_the_bare_reference_shorthand() {
        let caches = attributes(r#"type=local,"src=/a,b",mode=max"#).unwrap();
        assert_eq!(caches.len(), 1);
        assert_eq!(caches[0]["type"], "local");
        assert_eq!(caches[0]["src"], "/a,b");
        let bare = attributes("r:5000/app:cache").unwrap();
        assert_eq!(bare[0]["type"], "registry");
        assert_eq!(bare[0]["ref"], "r:5000/app:cache");
        assert!(attributes(r#"type=local,"src=/a"#).is_err());
    }

    use super::*;

    fn summary(text: &str, direction: Direction) -> Vec<(Code, Range, String)> {
        problems(text, direction)
            .into_iter()
            .map(|p| (p.code, p.range, p.help))
            .collect()
    }

    #[test]
    fn csv_fields_follow_go_encoding_csv() {
        let fields =
            |t: &str| csv_fields(t).map(|f| f.into_iter().map(|f| f.0).collect::<Vec<_>>());
        assert_eq!(fields("a,b=c").unwrap(), ["a", "b=c"]);
        assert_eq!(
            fields(r#"type=local,"src=/a,b""#).unwrap(),
            ["type=local", "src=/a,b"]
        );
        assert_eq!(fields(r#""say ""hi""",x"#).unwrap(), [r#"say "hi""#, "x"]);
        assert_eq!(fields("a,").unwrap(), ["a", ""]);
        assert_eq!(csv_fields(r#"a,"b"#), Err((2, 2)));
        assert_eq!(csv_fields(r#"a,"b"c,d"#), Err((2, 4)));
        assert_eq!(csv_fields(r#"a,b"c"#), Err((2, 3)));
    }

    #[test]
    fn good_entries_have_no_problems() {
        for (text, direction) in [
            (
                "type=registry,ref=localhost:5000/app:cache,mode=max",
                Direction::Export,
            ),
            (
                "type=registry,ref=localhost:5000/app:cache",
                Direction::Import,
            ),
            ("localhost:5000/app:cache", Direction::Import),
            (
                "localhost:5000/app:cache,localhost:5000/app:old",
                Direction::Import,
            ),
            ("type=local,src=/tmp/c", Direction::Import),
            ("type=local,dest=/tmp/c,mode=min", Direction::Export),
            ("type=inline", Direction::Export),
            ("Type=gha,scope=app", Direction::Export),
            ("type=s3,region=eu-west-1,bucket=b", Direction::Export),
            ("type=azblob,name=app", Direction::Import),
            ("", Direction::Export),
        ] {
            assert!(problems(text, direction).is_empty(), "{text}");
        }
    }

    #[test]
    fn bad_entries_say_where_and_why() {
        let p = summary("type=regsitry,ref=r/a:c", Direction::Import);
        assert_eq!(
            p,
            [(
                Code::InvalidCache,
                (5, 8),
                "did you mean `registry`?".into()
            )]
        );
        let p = summary("type=local,dest=/c,mode=mxa", Direction::Export);
        assert_eq!(
            p,
            [(Code::InvalidCache, (24, 3), "did you mean `max`?".into())]
        );
        let p = summary("ref=r/a:c,mode=max", Direction::Export);
        assert_eq!((p[0].0, p[0].1), (Code::InvalidCache, (0, 18)));
        assert!(p[0].2.contains("`registry`"), "{p:?}");
        let p = summary("type=registry,mode=max", Direction::Export);
        assert_eq!((p[0].0, p[0].1), (Code::InvalidCache, (0, 22)));
        assert!(p[0].2.contains("ref="), "{p:?}");
        let p = summary("type=local,dest=/c", Direction::Import);
        assert!(p[0].2.contains("src="), "{p:?}");
        let p = summary("type=registry,ref=r/App:c", Direction::Import);
        assert_eq!((p[0].0, p[0].1), (Code::InvalidImage, (18, 7)));
        let p = summary("type=inline,max", Direction::Export);
        assert_eq!((p[0].0, p[0].1), (Code::InvalidCache, (12, 3)));
        let p = summary("type=inline,", Direction::Export);
        assert_eq!((p[0].0, p[0].1), (Code::InvalidCache, (11, 1)));
    }
}
