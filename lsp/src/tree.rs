//! The resolver at the core of the server: from the spanned node tree that both front ends
//! build (`kiln_dsl::parse_tree`), every key with its path, and every name of a stage,
//! target, group or arg, where it is defined and where it is used. Hover, definition,
//! references and symbols are look-ups in this index.

use kiln_dsl::Span;
use kiln_dsl::node::{Node, NodeKind};

/// One step of a path from the top of the file: a map key, or an item of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index,
}

/// A path written as its keys, `#` for a list item (tests spell paths this way).
#[cfg(test)]
pub fn path(segs: &[&str]) -> Vec<Seg> {
    segs.iter()
        .map(|s| match *s {
            "#" => Seg::Index,
            key => Seg::Key(key.to_string()),
        })
        .collect()
}

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Stage,
    Target,
    Group,
    Arg,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Stage => "stage",
            Kind::Target => "target",
            Kind::Group => "group",
            Kind::Arg => "arg",
        }
    }
}

/// A name written in the file: a definition (`stages: { build: ... }`) or a use of one
/// (`from: build`, `${VERSION}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub kind: Kind,
    pub name: String,
    /// The name itself, without quotes.
    pub span: Span,
    pub definition: bool,
    /// For a definition: the key and its value, for outlines.
    pub extent: Span,
}

/// A key written in the file and the path to it.
#[derive(Clone, Debug)]
pub struct Key {
    pub path: Vec<Seg>,
    pub span: Span,
}

/// What is at a position.
#[derive(Debug)]
pub enum Found<'a> {
    Name(&'a Name),
    Key(&'a Key),
}

#[derive(Clone, Default)]
pub struct Index {
    pub names: Vec<Name>,
    pub keys: Vec<Key>,
}

/// A name used somewhere: what it may name (the first defined wins), the name, where.
type Use = (Vec<Kind>, String, Span);

/// Where stage names are used, as paths (`*` any key, `#` any list item).
const STAGE_USES: &[&[&str]] = &[
    &["stages", "*", "from"],
    &["stages", "*", "steps", "#", "copy", "from"],
    &["stages", "*", "steps", "#", "mounts", "#", "from"],
    &["targets", "*", "stage"],
];
/// Where group members are named: targets, groups (or stages).
const MEMBER_USES: &[&[&str]] = &[&["groups", "*", "#"], &["groups", "*", "targets", "#"]];

fn matches(path: &[Seg], pattern: &[&str]) -> bool {
    path.len() == pattern.len()
        && path.iter().zip(pattern).all(|(seg, p)| match (seg, *p) {
            (Seg::Index, "#") => true,
            (Seg::Key(_), "*") => true,
            (Seg::Key(key), p) => key == p,
            _ => false,
        })
}

impl Index {
    pub fn build(text: &str, root: &Node) -> Self {
        let mut index = Index::default();
        let mut uses = Vec::new();
        index.walk(text, root, &mut Vec::new(), &mut uses);
        // A use counts when it names something defined: `from: debian:bookworm` is an image.
        // The platform args are always defined, by BuildKit.
        for (kinds, name, span) in uses {
            let defined = kinds.iter().find(|k| {
                index.definition(**k, &name).is_some()
                    || (**k == Kind::Arg
                        && kiln_dsl::platform::PLATFORM_ARGS.contains(&name.as_str()))
            });
            if let Some(&kind) = defined {
                index.names.push(Name {
                    kind,
                    name,
                    span,
                    definition: false,
                    extent: span,
                });
            }
        }
        index.names.sort_by_key(|n| n.span.start);
        index
    }

    fn walk(&mut self, text: &str, node: &Node, path: &mut Vec<Seg>, uses: &mut Vec<Use>) {
        match &node.kind {
            NodeKind::Map(entries) => {
                for (key, value) in entries {
                    let NodeKind::Str(name) = &key.kind else {
                        continue;
                    };
                    self.key(text, name, (key, value), path, uses);
                    path.push(Seg::Key(name.clone()));
                    self.walk(text, value, path, uses);
                    path.pop();
                }
            }
            NodeKind::Seq(items) => {
                path.push(Seg::Index);
                for item in items {
                    self.walk(text, item, path, uses);
                }
                path.pop();
            }
            NodeKind::Str(value) => {
                let span = unquoted(text, node.span);
                if STAGE_USES.iter().any(|p| matches(path, p)) {
                    uses.push((vec![Kind::Stage], value.clone(), span));
                } else if MEMBER_USES.iter().any(|p| matches(path, p)) {
                    let kinds = vec![Kind::Target, Kind::Group, Kind::Stage];
                    uses.push((kinds, value.clone(), span));
                }
                for (name, span) in interpolated_names(text, node.span) {
                    uses.push((vec![Kind::Arg], name, span));
                }
            }
            _ => {}
        }
    }

    /// A key: remembered with its path; under `stages`, `targets`, `groups` and `args` it
    /// defines a name, under a target's `args` it uses one.
    fn key(
        &mut self,
        text: &str,
        name: &str,
        (key, value): (&Node, &Node),
        path: &[Seg],
        uses: &mut Vec<Use>,
    ) {
        let span = unquoted(text, key.span);
        let mut key_path = path.to_vec();
        key_path.push(Seg::Key(name.to_string()));
        self.keys.push(Key {
            path: key_path,
            span,
        });
        let kind = match path {
            _ if matches(path, &["targets", "*", "args"]) => {
                uses.push((vec![Kind::Arg], name.to_string(), span));
                return;
            }
            [Seg::Key(section)] if section == "stages" => Kind::Stage,
            [Seg::Key(section)] if section == "targets" => Kind::Target,
            [Seg::Key(section)] if section == "groups" => Kind::Group,
            [Seg::Key(section)] if section == "args" => Kind::Arg,
            _ => return,
        };
        let end = span.end().max(value.span.end());
        self.names.push(Name {
            kind,
            name: name.to_string(),
            span,
            definition: true,
            extent: Span::new(span.start, end - span.start),
        });
    }

    pub fn definition(&self, kind: Kind, name: &str) -> Option<&Name> {
        self.names
            .iter()
            .find(|n| n.definition && n.kind == kind && n.name == name)
    }

    /// Every place a name is written, its definition included.
    pub fn occurrences<'a>(&'a self, of: &'a Name) -> impl Iterator<Item = &'a Name> + 'a {
        self.names
            .iter()
            .filter(move |n| n.kind == of.kind && n.name == of.name)
    }

    pub fn definitions(&self, kind: Kind) -> impl Iterator<Item = &Name> {
        self.names
            .iter()
            .filter(move |n| n.definition && n.kind == kind)
    }

    /// What is written at a byte offset (a cursor just after a word is on it).
    pub fn at(&self, offset: usize) -> Option<Found<'_>> {
        let on = |span: Span| span.start <= offset && offset <= span.end();
        if let Some(name) = self.names.iter().find(|n| on(n.span)) {
            return Some(Found::Name(name));
        }
        // HCL gives a list the span of its first item's block (`steps` and the first step
        // are both at `copy {`): the deepest key is the one written there.
        self.keys
            .iter()
            .filter(|k| on(k.span))
            .max_by_key(|k| k.path.len())
            .map(Found::Key)
    }
}

/// A span without the quotes around it, if it has them.
fn unquoted(text: &str, span: Span) -> Span {
    match text.get(span.start..span.end()) {
        Some(s)
            if s.len() >= 2
                && (s.starts_with('"') && s.ends_with('"')
                    || s.starts_with('\'') && s.ends_with('\'')) =>
        {
            Span::new(span.start + 1, span.len - 2)
        }
        _ => span,
    }
}

/// The names of `${NAME}` and `${NAME:-default}` written in the source under a span, with
/// the span of each name (`$${` is a literal `${`, not a use).
pub fn interpolated_names(text: &str, span: Span) -> Vec<(String, Span)> {
    let Some(source) = text.get(span.start..span.end()) else {
        return Vec::new();
    };
    let bytes = source.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'$' {
            i += 2;
            continue;
        }
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let start = i + 2;
            let len = source[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(source.len() - start);
            if len > 0 {
                let name = source[start..start + len].to_string();
                names.push((name, Span::new(span.start + start, len)));
            }
            i = start + len;
            continue;
        }
        i += 1;
    }
    names
}
