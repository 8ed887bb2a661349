//! Hover: a key's doc (from the schema, i.e. the model's doc comments), or what a stage,
//! target, group or arg name resolves to.

use crate::document::Document;
use crate::schema_docs::SchemaDocs;
use crate::tree::{Found, Kind, Name, Seg};
use kiln_dsl::Span;
use kiln_dsl::model::{Arg, BuildFile, Group, Stage, Target};

/// The Markdown to show at an offset, and the span it is about.
pub fn hover(doc: &Document, docs: &SchemaDocs, offset: usize) -> Option<(String, Span)> {
    let Some(found) = doc.index.at(offset) else {
        return hcl_attribute(doc, docs, offset);
    };
    match found {
        Found::Name(name) => {
            let model = doc.model.as_ref()?;
            Some((describe(model, name)?, name.span))
        }
        Found::Key(key) => {
            let text = docs.description(&key.path)?;
            let name = match key.path.last() {
                Some(Seg::Key(k)) => k.as_str(),
                _ => "",
            };
            Some((format!("**{name}**\n\n{text}"), key.span))
        }
    }
}

fn describe(model: &BuildFile, name: &Name) -> Option<String> {
    let n = name.name.as_str();
    let title = format!("**{} `{n}`**", name.kind.word());
    let body = match name.kind {
        Kind::Stage => stage(model.stages.get(n)?),
        Kind::Target => target(model.targets.get(n)?),
        Kind::Group => group(model.groups.get(n)?),
        Kind::Arg
            if kiln_dsl::platform::PLATFORM_ARGS.contains(&n) && !model.args.contains_key(n) =>
        {
            "platform arg: set by BuildKit for the platform being built (`linux/arm64`: \
             `TARGETOS=linux`, `TARGETARCH=arm64`); `BUILD*` describe the builder's own"
                .to_string()
        }
        Kind::Arg => arg(model.args.get(n)?),
    };
    Some(format!("{title}\n\n{body}"))
}

fn with_description(mut lines: Vec<String>, description: Option<&String>) -> String {
    if let Some(description) = description {
        lines.insert(0, format!("{description}\n"));
    }
    lines.join("\n")
}

fn stage(stage: &Stage) -> String {
    let mut lines = vec![format!("from `{}`", stage.from.value)];
    if !stage.steps.is_empty() {
        let kinds: Vec<&str> = stage.steps.iter().map(|s| s.value.kind()).collect();
        lines.push(format!("{} steps: {}", kinds.len(), kinds.join(", ")));
    }
    with_description(lines, stage.description.as_ref())
}

fn target(target: &Target) -> String {
    let mut lines = vec![format!("stage `{}`", target.stage.value)];
    if !target.tags.is_empty() {
        let tags: Vec<String> = target
            .tags
            .iter()
            .map(|t| format!("`{}`", t.value))
            .collect();
        lines.push(format!("tags {}", tags.join(", ")));
    }
    if !target.platforms.is_empty() {
        let platforms: Vec<&str> = target.platforms.iter().map(|p| p.value.as_str()).collect();
        lines.push(format!("platforms {}", platforms.join(", ")));
    }
    with_description(lines, target.description.as_ref())
}

fn group(group: &Group) -> String {
    let members: Vec<String> = group
        .targets
        .iter()
        .map(|t| format!("`{}`", t.value))
        .collect();
    let lines = vec![format!("targets {}", members.join(", "))];
    with_description(lines, group.description.as_ref())
}

fn arg(arg: &Arg) -> String {
    let default = match &arg.default {
        Some(value) => format!("default `{}`", value.value),
        None => "no default".to_string(),
    };
    with_description(vec![default], arg.description.as_ref())
}

/// An HCL attribute or block the node tree has no key for: the step's value (`cmd` of
/// `run`, `path` of `workdir`, `name` of `user`), the second and later `mount` and
/// `repository` blocks, a variable's settings, or any key of a file that does not parse.
fn hcl_attribute(doc: &Document, docs: &SchemaDocs, offset: usize) -> Option<(String, Span)> {
    if !doc.is_hcl() {
        return None;
    }
    let text = doc.text();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let start = crate::context::word_start(&text[..offset], is_word);
    let end = text[offset..]
        .find(|c| !is_word(c))
        .map_or(text.len(), |i| offset + i);
    let word = &text[start..end];
    let after = text[end..].trim_start_matches([' ', '\t']);
    if word.is_empty() || !(after.starts_with('=') || after.starts_with('{')) {
        return None;
    }
    let (mut path, block) = crate::context::hcl_block_at(&text[..start]);
    let key = |k: &str| Seg::Key(k.to_string());
    match (block.as_deref(), word) {
        (Some("run"), "cmd") => path.push(key("run")),
        (Some("workdir"), "path") | (Some("user"), "name") => {}
        (_, "mount") => path.push(key("mounts")),
        (_, "repository") => path.push(key("repositories")),
        (_, word) => {
            let dashed = kiln_dsl::hcl_front::DASHED.iter();
            let model = dashed
                .clone()
                .find(|(hcl, _)| *hcl == word)
                .map_or(word, |(_, m)| m);
            path.push(key(model));
        }
    }
    let description = docs.description(&path)?;
    Some((
        format!("**{word}**\n\n{description}"),
        Span::new(start, end - start),
    ))
}
