//! bake's JSON files (`docker-bake.json`, and the `docker/metadata-action` output that CI
//! passes as `-f metadata.json`): HCL's JSON syntax for `variable`, `function`, `target`
//! and `group` blocks and top-level attributes. Such a file is rewritten as the HCL text it
//! stands for, one attribute per line, and read as HCL; its strings are templates, as in
//! bake (`"pre-${FOO}"`). A JSON file with kiln's own keys (`version`, `stages`,
//! `targets`, ...) is not one of these: it is kiln's YAML model, written as JSON.

use serde_json::Value;
use std::fmt::Write;

const BLOCKS: &[&str] = &["variable", "function", "target", "group"];

/// The HCL text of a bake JSON file, or None when `text` is not one: it has none of kiln's
/// keys, and a bake block (`target`, ...) unless `values_only` allows a file of top-level
/// values alone (`{"TAG": "1.2"}`, which only makes sense among several files).
pub fn to_hcl(text: &str, values_only: bool) -> Option<String> {
    let Ok(Value::Object(top)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let kiln_keys = ["version", "stages", "targets", "groups", "args", "$schema"];
    if top.keys().any(|k| kiln_keys.contains(&k.as_str())) {
        return None;
    }
    if !values_only && !top.keys().any(|k| BLOCKS.contains(&k.as_str())) {
        return None;
    }
    let mut out = String::new();
    for (key, value) in &top {
        if BLOCKS.contains(&key.as_str()) {
            for (name, body) in labelled(value) {
                blocks(&mut out, key, &name, body);
            }
        } else {
            let _ = writeln!(out, "{} = {}", quote_key(key), expr(value, false));
        }
    }
    Some(out)
}

/// `{"a": {...}}`, or `[{"a": [{...}]}]` (bake accepts both): (label, body) pairs.
fn labelled(value: &Value) -> Vec<(String, &Value)> {
    let objects: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for object in objects {
        if let Value::Object(map) = object {
            for (name, body) in map {
                match body {
                    Value::Array(bodies) => out.extend(bodies.iter().map(|b| (name.clone(), b))),
                    body => out.push((name.clone(), body)),
                }
            }
        }
    }
    out
}

fn blocks(out: &mut String, kind: &str, name: &str, body: &Value) {
    let _ = writeln!(out, "{kind} {} {{", string(name));
    if let Value::Object(attrs) = body {
        for (key, value) in attrs {
            match (kind, key.as_str()) {
                // `validation` is a block in a variable.
                ("variable", "validation") => {
                    let bodies = match value {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for body in bodies {
                        blocks(out, "validation", "", body);
                    }
                }
                // A type is an expression (`list(string)`), not a string.
                ("variable", "type") => {
                    let text = value
                        .as_str()
                        .map_or_else(|| expr(value, false), str::to_string);
                    let _ = writeln!(out, "  type = {text}");
                }
                // Function parameters are names.
                ("function", "params" | "variadic_params") => {
                    let _ = writeln!(out, "  {key} = {}", expr(value, true));
                }
                _ => {
                    let _ = writeln!(out, "  {} = {}", quote_key(key), expr(value, false));
                }
            }
        }
    }
    out.push_str("}\n");
    // An unlabelled block (validation) was written as `validation "" {`.
    if name.is_empty() {
        let fixed = out.replace(&format!("{kind} \"\" {{"), &format!("{kind} {{"));
        *out = fixed;
    }
}

/// An attribute name as HCL takes it (bake's keys are identifiers; others are quoted, which
/// the HCL reader reports as it should).
fn quote_key(key: &str) -> String {
    let ident = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if ident { key.to_string() } else { string(key) }
}

/// A JSON value as an HCL expression: strings are templates; `names` writes strings as bare
/// names (function parameters).
fn expr(value: &Value, names: bool) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if names => s.clone(),
        Value::String(s) => template(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| expr(v, names)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{} = {}", string(k), expr(v, false)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

/// A quoted HCL string with no interpolation.
fn string(text: &str) -> String {
    template(&text.replace("${", "$${").replace("%{", "%%{"))
}

/// A JSON string as a quoted HCL template: quotes, backslashes and control characters are
/// escaped outside `${...}` and `%{...}`, whose expressions are kept as written.
fn template(text: &str) -> String {
    let mut out = String::from("\"");
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if depth > 0 {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            // `$${` and `%%{` are literal text in HCL.
            '$' | '%' if chars.peek() == Some(&c) => {
                out.push(c);
                out.push(chars.next().unwrap_or(c));
            }
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(chars.next().unwrap_or('{'));
                depth = 1;
            }
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bake_json_as_hcl() {
        let hcl = to_hcl(
            r#"{"FOO": "abc", "target": {"app": {"args": {"v1": "pre-${f(\"x\")}"}}}}"#,
            false,
        )
        .unwrap();
        assert!(hcl.contains("FOO = \"abc\""), "{hcl}");
        assert!(hcl.contains(r#""v1" = "pre-${f("x")}""#), "{hcl}");
        assert!(to_hcl(r#"{"version": 1, "stages": {}}"#, true).is_none());
        assert!(to_hcl(r#"{"TAG": "1"}"#, false).is_none());
        assert_eq!(template(r#"say "hi" $${x}"#), r#""say \"hi\" $${x}""#);
    }
}
