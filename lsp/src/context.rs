//! What a completion at the cursor is for. While a line is being typed the file is often
//! not a document yet (`    fr` is no YAML mapping entry), so the place is read from the
//! text around the cursor: indentation (YAML) or enclosing blocks (HCL) give the path of
//! the map the cursor is in, and the current line tells key from value.

use crate::tree::Seg;

/// A place to complete.
#[derive(Debug, PartialEq, Eq)]
pub enum Context {
    /// After `${`: arg names.
    ArgName,
    /// The value of `from`, `copy.from`, a mount's `from` or a target's `stage`.
    StageName,
    /// A group member: target and group names.
    Member,
    /// A key of the map at this model path (YAML keys; HCL attributes and blocks).
    Key {
        path: Vec<Seg>,
        new_item: bool,
    },
    /// A key of an HCL block, given by the enclosing blocks (outermost first).
    HclKey {
        blocks: Vec<String>,
        path: Vec<Seg>,
    },
    None,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The completion context at a byte offset of a file.
pub fn context_at(text: &str, offset: usize, hcl: bool) -> Context {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    if let Some(open) = prefix.rfind("${")
        && !prefix[open..].contains('}')
    {
        return Context::ArgName;
    }
    let before = prefix.trim_end_matches(is_name_char);
    let before = before.trim_end_matches(['"', '\'', ' ']);
    let (path, blocks) = if hcl {
        let blocks = hcl_blocks(&text[..offset]);
        (hcl_path(&blocks), Some(blocks))
    } else {
        (yaml_parents(text, line_start, prefix), None)
    };
    let in_groups = matches!(path.first(), Some(Seg::Key(s)) if s == "groups");
    if let Some(rest) = before
        .strip_suffix(':')
        .or_else(|| before.strip_suffix('='))
    {
        return match last_word(rest).as_str() {
            "from" | "stage" => Context::StageName,
            _ => Context::None,
        };
    }
    if before.ends_with('[') || before.ends_with(',') {
        // A group's `targets: [`, or its short form `name: [`.
        let list_key = before
            .rfind('[')
            .map(|i| last_word(before[..i].trim_end_matches([':', '=', ' '])));
        let members = list_key.as_deref() == Some("targets") || path.len() == 1;
        return if in_groups && members {
            Context::Member
        } else {
            Context::None
        };
    }
    let new_item = before.trim() == "-";
    if !before.trim().is_empty() && !new_item {
        return Context::None;
    }
    match blocks {
        Some(blocks) => Context::HclKey { blocks, path },
        None if new_item && in_groups => Context::Member,
        None => Context::Key { path, new_item },
    }
}

/// The keys already written in the YAML map the cursor's line belongs to (the lines around
/// it at its indentation, up to a less indented line or the start of the next list item),
/// so completion does not offer a key twice.
pub fn yaml_written_keys(text: &str, offset: usize) -> Vec<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let column = match yaml_line(&text[line_start..offset]) {
        Some(line) if line.dash => return Vec::new(), // a new item has no keys yet
        _ => {
            text[line_start..offset].len() - text[line_start..offset].trim_start_matches(' ').len()
        }
    };
    let mut keys = Vec::new();
    for line in text[..line_start].lines().rev().filter_map(yaml_line) {
        if line.content < column || (line.dash && line.content == column) {
            // The start of this map: a less indented key, or the `- key:` line of its item.
            if line.dash && line.content == column {
                keys.extend(line.key.map(str::to_string));
            }
            break;
        }
        if line.content == column {
            keys.extend(line.key.map(str::to_string));
        }
    }
    for line in text
        .get(line_end + 1..)
        .unwrap_or_default()
        .lines()
        .filter_map(yaml_line)
    {
        if line.indent < column || (line.dash && line.indent <= column) {
            break;
        }
        if line.content == column {
            keys.extend(line.key.map(str::to_string));
        }
    }
    keys
}

/// Where the word that ends `text` starts (after its last character that is not `in_word`).
pub fn word_start(text: &str, in_word: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| !in_word(*c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

fn last_word(text: &str) -> String {
    let text = text.trim_end_matches([' ', '"']);
    text[word_start(text, is_name_char)..].to_string()
}

/// A YAML line's indentation, whether it starts a list item, and its key (`key:`) if any.
struct YamlLine<'a> {
    indent: usize,
    dash: bool,
    /// Column of the content after `- ` (or the indentation).
    content: usize,
    key: Option<&'a str>,
}

fn yaml_line(line: &str) -> Option<YamlLine<'_>> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    let (dash, content, rest) = match rest.strip_prefix('-') {
        Some(after) if after.is_empty() || after.starts_with(' ') => {
            let spaces = after.len() - after.trim_start_matches(' ').len();
            (true, indent + 1 + spaces, after.trim_start_matches(' '))
        }
        _ => (false, indent, rest),
    };
    let key = rest
        .split_once(':')
        .filter(|(_, after)| after.is_empty() || after.starts_with(' '))
        .map(|(key, _)| key.trim_matches(['"', '\'']))
        .filter(|key| !key.is_empty() && key.chars().all(|c| is_name_char(c) || c == '$'));
    Some(YamlLine {
        indent,
        dash,
        content,
        key,
    })
}

/// The path of the YAML map the current line's key belongs to, read from indentation: each
/// line above that is less indented (or a list item holding the line) is an ancestor.
fn yaml_parents(text: &str, line_start: usize, prefix: &str) -> Vec<Seg> {
    let mut reversed = Vec::new();
    // Looking for an ancestor key left of `limit` (or at it, for the key of a list that is
    // not indented under its key: `steps:` then `- run: x` in the same column).
    let (mut limit, mut or_equal) = match yaml_line(prefix) {
        Some(line) if line.dash => {
            reversed.push(Seg::Index);
            (line.indent, true)
        }
        _ => (prefix.len() - prefix.trim_start_matches(' ').len(), false),
    };
    for line in text[..line_start].lines().rev() {
        if limit == 0 && !or_equal {
            break;
        }
        let Some(line) = yaml_line(line) else {
            continue;
        };
        if line.dash {
            if line.indent >= limit {
                continue;
            }
            if let Some(key) = line.key.filter(|_| line.content < limit) {
                reversed.push(Seg::Key(key.to_string()));
            }
            reversed.push(Seg::Index);
            (limit, or_equal) = (line.indent, true);
        } else if let Some(key) = line.key
            && (line.indent < limit || (or_equal && line.indent == limit))
        {
            reversed.push(Seg::Key(key.to_string()));
            (limit, or_equal) = (line.indent, false);
        }
    }
    reversed.reverse();
    reversed
}

/// The model path of the HCL block open at the end of `text`, and that block's kind
/// (`run`), for hover on the attributes the model has no key for.
pub fn hcl_block_at(text: &str) -> (Vec<Seg>, Option<String>) {
    let blocks = hcl_blocks(text);
    let kind = blocks
        .last()
        .and_then(|b| b.split_whitespace().next())
        .map(str::to_string);
    (hcl_path(&blocks), kind)
}

/// The headers of the HCL blocks open at the end of `text` (`stage "api"`, `run`),
/// outermost first. Braces inside strings (`"${NAME}"`) and comments do not count.
fn hcl_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut header_start = 0;
    let mut in_string = false;
    let mut comment = false;
    let mut previous = ' ';
    for (i, c) in text.char_indices() {
        if comment {
            comment = c != '\n';
        } else if in_string {
            in_string = !(c == '"' && previous != '\\');
        } else {
            match c {
                '"' => in_string = true,
                '#' => comment = true,
                '{' => blocks.push(text[header_start..i].trim().to_string()),
                '}' => {
                    blocks.pop();
                }
                _ => {}
            }
            if matches!(c, '\n' | '{' | '}') {
                header_start = i + 1;
            }
        }
        previous = c;
    }
    blocks
}

/// The model path of the map that HCL blocks write (`stage "api"`, `copy` →
/// `stages.api.steps[].copy`). An attribute's object (`env = {`) has no known keys: None.
fn hcl_path(blocks: &[String]) -> Vec<Seg> {
    let mut path = Vec::new();
    for header in blocks {
        let mut words = header.split_whitespace();
        let ident = words.next().unwrap_or_default();
        let label = words.next().map(|l| l.trim_matches('"').to_string());
        let key = |k: &str| Seg::Key(k.to_string());
        match (ident, label) {
            (_, _) if header.ends_with('=') => path.push(key("=")),
            ("stage", Some(name)) => path.extend([key("stages"), Seg::Key(name)]),
            ("target", Some(name)) => path.extend([key("targets"), Seg::Key(name)]),
            ("group", Some(name)) => path.extend([key("groups"), Seg::Key(name)]),
            ("variable", Some(name)) => path.extend([key("args"), Seg::Key(name)]),
            ("mount", _) => path.extend([key("mounts"), Seg::Index]),
            ("repository", _) => path.extend([key("repositories"), Seg::Index]),
            ("run", _) if path.len() == 2 => path.extend([key("steps"), Seg::Index]),
            (kind, _) if path.len() == 2 && kiln_dsl::model::STEP_KINDS.contains(&kind) => {
                path.extend([key("steps"), Seg::Index, key(kind)]);
            }
            (ident, _) => path.push(key(ident)),
        }
    }
    path
}

#[cfg(test)]
mod tests;
