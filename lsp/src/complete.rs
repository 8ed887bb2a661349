//! Completion items for a context: names from the last parse of the file, keys from the
//! schema.

use crate::context::{Context, context_at};
use crate::document::Document;
use crate::schema_docs::SchemaDocs;
use crate::tree::{Index, Kind, Seg};
use kiln_dsl::model::{MOUNT_KINDS, STEP_KINDS};

/// What an item is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Key,
    Stage,
    Target,
    Group,
    Arg,
}

#[derive(Debug)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
}

fn item(label: &str, kind: ItemKind, detail: Option<String>) -> Item {
    Item {
        label: label.to_string(),
        kind,
        detail,
    }
}

/// The items at an offset. `names` is the index of the last text that parsed (the current
/// one is often broken while typing), so names defined before stay offered.
pub fn complete(doc: &Document, names: &Index, docs: &SchemaDocs, offset: usize) -> Vec<Item> {
    let defined = |kind: Kind, item_kind: ItemKind| -> Vec<Item> {
        names
            .definitions(kind)
            .map(|n| item(&n.name, item_kind, Some(kind.word().to_string())))
            .collect()
    };
    match context_at(doc.text(), offset, doc.is_hcl()) {
        Context::ArgName => {
            let mut items = defined(Kind::Arg, ItemKind::Arg);
            let platform = kiln_dsl::platform::PLATFORM_ARGS.iter();
            items.extend(platform.map(|a| item(a, ItemKind::Arg, Some("platform arg".into()))));
            items
        }
        Context::StageName => {
            let mut items = defined(Kind::Stage, ItemKind::Stage);
            items.push(item(
                "scratch",
                ItemKind::Stage,
                Some("the empty filesystem".into()),
            ));
            items
        }
        Context::Member => {
            let mut items = defined(Kind::Target, ItemKind::Target);
            items.extend(defined(Kind::Group, ItemKind::Group));
            items
        }
        Context::Key { path, new_item } => {
            let written = crate::context::yaml_written_keys(doc.text(), offset);
            let mut items = yaml_keys(docs, &path, new_item);
            items.retain(|i| !written.contains(&i.label));
            items
        }
        Context::HclKey { blocks, path } => hcl_keys(docs, &blocks, &path),
        Context::None => Vec::new(),
    }
}

fn keys(docs: &SchemaDocs, path: &[Seg]) -> Vec<Item> {
    docs.keys(path)
        .into_iter()
        .map(|(key, doc)| item(&key, ItemKind::Key, doc))
        .collect()
}

fn is_list_of(path: &[Seg], list: &str) -> bool {
    matches!(path, [.., Seg::Key(key), Seg::Index] if key == list)
}

/// A new item of a step list starts with its kind; of a mount list, with the mount kind.
fn yaml_keys(docs: &SchemaDocs, path: &[Seg], new_item: bool) -> Vec<Item> {
    let all = keys(docs, path);
    let kinds: &[&str] = match () {
        _ if new_item && is_list_of(path, "steps") => STEP_KINDS,
        _ if new_item && is_list_of(path, "mounts") => MOUNT_KINDS,
        _ => return all,
    };
    all.into_iter()
        .filter(|i| kinds.contains(&i.label.as_str()))
        .collect()
}

/// HCL writes the model as blocks: the top level has block kinds, a stage has its settings
/// and its step blocks, a `run` block has `cmd` and `mount` blocks, a target's dashed keys
/// are spelt with `-`.
fn hcl_keys(docs: &SchemaDocs, blocks: &[String], path: &[Seg]) -> Vec<Item> {
    let word = |w: &str| item(w, ItemKind::Key, None);
    let inner = blocks
        .last()
        .map(|b| b.split_whitespace().next().unwrap_or_default());
    match (path, inner) {
        ([], _) => [
            "version", "variable", "function", "stage", "target", "group",
        ]
        .map(word)
        .into(),
        (_, Some(ident)) if ident.ends_with('=') => Vec::new(),
        ([Seg::Key(s), _], _) if s == "stages" => {
            let mut items: Vec<Item> = keys(docs, path)
                .into_iter()
                .filter(|i| i.label != "steps")
                .collect();
            items.extend(STEP_KINDS.iter().map(|k| word(k)));
            items
        }
        ([Seg::Key(s), _], _) if s == "args" => ["default", "description", "type", "validation"]
            .map(word)
            .into(),
        ([Seg::Key(s), _], _) if s == "targets" => {
            let mut items: Vec<Item> = keys(docs, path).into_iter().map(hcl_spelling).collect();
            items.extend(["inherits", "matrix", "name"].map(word));
            items
        }
        (_, Some("run")) => {
            let mut items: Vec<Item> = keys(docs, path)
                .into_iter()
                .filter(|i| !NOT_RUN_OPTIONS.contains(&i.label.as_str()))
                .collect();
            items.extend(["cmd", "mount"].map(word));
            items
        }
        (_, Some("workdir")) => vec![word("path")],
        (_, Some("user")) => vec![word("name")],
        _ => keys(docs, path),
    }
}

/// Keys of other step kinds, which a `run` block does not take (`env`, `user` and `workdir`
/// are both step kinds and run options); `mounts` are `mount` blocks.
const NOT_RUN_OPTIONS: &[&str] = &[
    "run", "copy", "download", "mkdir", "symlink", "packages", "mounts",
];

fn hcl_spelling(mut item: Item) -> Item {
    let dashed = kiln_dsl::hcl_front::DASHED.iter();
    if let Some((hcl, _)) = dashed.clone().find(|(_, model)| *model == item.label) {
        item.label = hcl.to_string();
    }
    item
}
