//! `--set TARGET.FIELD=VALUE` as bake reads it: TARGET is a glob (`web*`, `*`); the
//! `--set`s of one list field of one target accumulate (`--set a.platform=linux/arm
//! --set a.platform=linux/ppc64le` is both platforms), and the last one says whether they
//! replace the file's list (`=`) or are appended to it (`+=`); `args.NAME` without a value
//! takes NAME from the environment. In an HCL file they are applied to every target before
//! `inherits`, so a `--set` on a parent reaches the targets that inherit from it.

/// One `--set`.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub pattern: String,
    /// As written (`platform` or `platforms`, `args.NAME`, `cache-from`, ...).
    pub field: String,
    /// None: `--set T.args.NAME` with no `=`.
    pub value: Option<String>,
    pub append: bool,
}

/// The list fields (their model names), and the `--set` spellings of each.
pub const LIST_FIELDS: &[(&str, &[&str])] = &[
    ("tags", &["tags"]),
    ("platforms", &["platforms", "platform"]),
    ("cache_from", &["cache-from"]),
    ("cache_to", &["cache-to"]),
];

/// The model name of a list field written in a `--set`.
pub fn list_field(field: &str) -> Option<&'static str> {
    LIST_FIELDS
        .iter()
        .find(|(_, names)| names.contains(&field))
        .map(|(model, _)| *model)
}

impl Override {
    pub fn parse(item: &str) -> Result<Override, String> {
        let bad = || format!("--set takes TARGET.FIELD=VALUE, got `{item}`");
        let (key, value) = match item.split_once('=') {
            Some((key, value)) => (key, Some(value.to_string())),
            None => (item, None),
        };
        let (pattern, field) = key.split_once('.').ok_or_else(bad)?;
        let (field, append) = match field.strip_suffix('+') {
            Some(field) => (field, true),
            None => (field, false),
        };
        let map_entry = field.starts_with("args.") || field.starts_with("labels.");
        if value.is_none() && !map_entry {
            return Err(bad());
        }
        if append && list_field(field).is_none() {
            return Err(format!(
                "--set {item}: `+=` appends to a list: tags, platforms, cache-from, cache-to"
            ));
        }
        let known =
            list_field(field).is_some() || map_entry || field == "output" || field == "stage";
        if !known {
            return Err(format!(
                "--set {item}: kiln cannot set `{field}` (tags, platforms, cache-from, cache-to, args.NAME, labels.NAME, output, stage)"
            ));
        }
        Ok(Override {
            pattern: pattern.to_string(),
            field: field.to_string(),
            value,
            append,
        })
    }

    pub fn matches(&self, target: &str) -> bool {
        glob(&self.pattern, target)
    }
}

/// A list field's items from one `--set` value: tags and platforms are comma-separated; a
/// cache entry is one CSV text whose commas are its own (as in bake); empty is none.
pub fn list_items(model_field: &str, value: &str) -> Vec<String> {
    if value.is_empty() {
        return Vec::new();
    }
    match model_field {
        "cache_from" | "cache_to" => vec![value.to_string()],
        _ => value.split(',').map(|v| v.trim().to_string()).collect(),
    }
}

/// The `--set`s of one target, list fields accumulated: (field, items, append) for lists,
/// in the order first set, then the other fields in order.
pub fn for_target<'o>(overrides: &'o [Override], target: &str) -> Vec<Effect<'o>> {
    let mut effects: Vec<Effect<'o>> = Vec::new();
    for o in overrides.iter().filter(|o| o.matches(target)) {
        let Some(field) = list_field(&o.field) else {
            effects.push(Effect::Set(o));
            continue;
        };
        let items = list_items(field, o.value.as_deref().unwrap_or_default());
        match effects
            .iter_mut()
            .find(|e| matches!(e, Effect::List { field: f, .. } if *f == field))
        {
            Some(Effect::List {
                items: all, append, ..
            }) => {
                all.extend(items);
                *append = o.append;
            }
            _ => effects.push(Effect::List {
                field,
                items,
                append: o.append,
            }),
        }
    }
    effects
}

/// What the `--set`s do to one target.
#[derive(Debug)]
pub enum Effect<'o> {
    /// A list field (its model name): these items replace the file's, or are appended.
    List {
        field: &'static str,
        items: Vec<String>,
        append: bool,
    },
    /// `args.NAME`, `labels.NAME`, `output`, `stage`.
    Set(&'o Override),
}

/// `*` matches any run of characters, `?` one; everything else itself.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer matching with backtracking to the last `*`: linear enough for names.
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_accumulation() {
        assert!(glob("web*", "webapp") && glob("*", "x") && glob("a?c", "abc"));
        assert!(!glob("web*", "api") && !glob("a?c", "ac"));
        let sets: Vec<Override> = ["a.platform+=linux/arm64", "a.platform=linux/riscv64"]
            .iter()
            .map(|s| Override::parse(s).unwrap())
            .collect();
        let effects = for_target(&sets, "a");
        let [Effect::List { items, append, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(items, &["linux/arm64", "linux/riscv64"]);
        assert!(!append);
        assert!(Override::parse("a.tags").is_err());
        assert!(Override::parse("a.args.X").unwrap().value.is_none());
        assert!(
            Override::parse("a.dockerfile=x")
                .unwrap_err()
                .contains("cannot set")
        );
    }
}
