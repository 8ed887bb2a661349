//! The one interpolation rule shared by YAML and HCL: `${NAME}` and `${NAME:-default}` are
//! replaced by kiln, `$${` is a literal `${`, and a bare `$NAME` is never touched.

/// A piece of an interpolated string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text kept as it is (with `$${` already turned into `${`).
    Text(String),
    /// A `${NAME}` or `${NAME:-default}` reference.
    Var(VarRef<'a>),
}

/// A reference to a variable, with its byte range in the string it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef<'a> {
    pub name: &'a str,
    pub default: Option<&'a str>,
    /// Byte offset of the `$` and length up to and including the `}`.
    pub offset: usize,
    pub len: usize,
}

/// A malformed `${...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterpolationError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

/// Split a string into text and variable references.
pub fn parse(input: &str) -> Result<Vec<Piece<'_>>, InterpolationError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = input;
    let mut offset = 0;
    while let Some(i) = rest.find('$') {
        text.push_str(&rest[..i]);
        let at = &rest[i..];
        if at.starts_with("$${") {
            text.push_str("${");
            advance(&mut rest, &mut offset, i + 3);
        } else if at.starts_with("${") {
            let var = parse_var(at, offset + i)?;
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            let len = var.len;
            pieces.push(Piece::Var(var));
            advance(&mut rest, &mut offset, i + len);
        } else {
            text.push('$');
            advance(&mut rest, &mut offset, i + 1);
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn advance(rest: &mut &str, offset: &mut usize, by: usize) {
    *rest = &rest[by..];
    *offset += by;
}

/// Parse `${NAME}` or `${NAME:-default}` at the start of `at`.
fn parse_var(at: &str, offset: usize) -> Result<VarRef<'_>, InterpolationError> {
    let Some(close) = at.find('}') else {
        return Err(InterpolationError {
            offset,
            len: at.len().min(2),
            message: "`${` is not closed by `}`".into(),
        });
    };
    let inner = &at[2..close];
    let (name, default) = match inner.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (inner, None),
    };
    if !is_var_name(name) {
        return Err(InterpolationError {
            offset,
            len: close + 1,
            message: format!(
                "`${{{inner}}}` is not a kiln variable reference: kiln understands `${{NAME}}` and `${{NAME:-default}}`"
            ),
        });
    }
    Ok(VarRef {
        name,
        default,
        offset,
        len: close + 1,
    })
}

/// Names of args and environment variables: a letter or `_`, then letters, digits, `_`.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The names of the references in a string (empty if it is malformed).
pub fn references(input: &str) -> Vec<VarRef<'_>> {
    parse(input)
        .map(|pieces| {
            pieces
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Var(v) => Some(v),
                    Piece::Text(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Substitute variables with `lookup`; `None` if some variable has no value and no default
/// (or the string is malformed).
pub fn substitute(input: &str, lookup: impl FnMut(&str) -> Option<String>) -> Option<String> {
    substitute_within(input, usize::MAX, lookup).ok()
}

/// Why [`substitute_within`] gave no string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsubstituted {
    /// A variable has no value and no default, or the string is malformed.
    Missing,
    /// The result would be larger than the bound: at least this many bytes.
    TooLarge(usize),
}

/// Substitute variables with `lookup`, stopping as soon as the result would pass `max`
/// bytes: values that repeat each other grow exponentially, and must fail, not allocate.
pub fn substitute_within(
    input: &str,
    max: usize,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, Unsubstituted> {
    let mut out = String::new();
    for piece in parse(input).map_err(|_| Unsubstituted::Missing)? {
        let added = match piece {
            Piece::Text(t) => t,
            Piece::Var(v) => lookup(v.name)
                .or(v.default.map(str::to_string))
                .ok_or(Unsubstituted::Missing)?,
        };
        let size = out.len().saturating_add(added.len());
        if size > max {
            return Err(Unsubstituted::TooLarge(size));
        }
        out.push_str(&added);
    }
    Ok(out)
}

/// Bare `$NAME` references (which kiln leaves alone), as (offset, name).
pub fn bare_references(input: &str) -> Vec<(usize, &str)> {
    let bytes = input.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            if input[i..].starts_with("$${") {
                i += 3;
                continue;
            }
            let start = i + 1;
            let end = input[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(input.len(), |e| start + e);
            if end > start && is_var_name(&input[start..end]) {
                found.push((i, &input[start..end]));
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, default: Option<&'static str>, offset: usize, len: usize) -> Piece<'static> {
        let name: &'static str = Box::leak(name.to_string().into_boxed_str());
        Piece::Var(VarRef {
            name,
            default,
            offset,
            len,
        })
    }

    #[test]
    fn splits_text_and_references() {
        let pieces = parse("make VERSION=${V} OS=${OS:-linux}").unwrap();
        assert_eq!(
            pieces,
            vec![
                Piece::Text("make VERSION=".into()),
                var("V", None, 13, 4),
                Piece::Text(" OS=".into()),
                var("OS", Some("linux"), 21, 12),
            ]
        );
    }

    #[test]
    fn escapes_and_bare_dollars_are_text() {
        assert_eq!(
            parse("a $${X} $HOME $").unwrap(),
            vec![Piece::Text("a ${X} $HOME $".into())]
        );
        assert_eq!(
            bare_references("echo $HOME $${X} ${Y} $1"),
            vec![(5, "HOME")]
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        assert!(parse("${unclosed").is_err());
        assert!(parse("${1BAD}").is_err());
        assert!(parse("${X%%.*}").is_err());
        assert_eq!(parse("${}").unwrap_err().offset, 0);
    }

    #[test]
    fn substitutes_values_then_defaults() {
        let lookup = |n: &str| (n == "A").then(|| "1".to_string());
        assert_eq!(substitute("${A}-${B:-2}", lookup), Some("1-2".into()));
        assert_eq!(substitute("${C}", lookup), None);
    }
}
