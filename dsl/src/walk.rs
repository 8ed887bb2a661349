//! The one walk of stage references: which places a stage reads from (`from`, a copy's
//! `from`, a bind or cache mount's `from`), and which stages building one stage needs. `kiln check`,
//! lowering's base-image discovery, `--call=outline` and `kiln graph` all follow it.

use crate::model::{BuildFile, Mount, Stage, Step};
use crate::span::Sp;

/// How a stage uses a place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseKind {
    /// The stage builds on it (`from`).
    From,
    /// A copy reads from it (`copy.from`).
    Copy,
    /// A run step mounts it (a bind mount's `from`).
    Bind,
    /// A run step's cache starts with its files (a cache mount's `from`).
    Cache,
}

impl UseKind {
    /// How the file names the field, for messages.
    pub fn field(self) -> &'static str {
        match self {
            UseKind::From => "`from`",
            UseKind::Copy => "`copy.from`",
            UseKind::Bind => "a bind mount's `from`",
            UseKind::Cache => "a cache mount's `from`",
        }
    }
}

/// A place (stage, image or `scratch`) a stage reads from, as written.
#[derive(Clone, Copy, Debug)]
pub struct Use<'m> {
    pub kind: UseKind,
    pub place: &'m Sp<String>,
}

/// Where a stage reads from: its `from` first, then its steps' sources in order.
pub fn uses(stage: &Stage) -> Vec<Use<'_>> {
    let mut out = vec![Use {
        kind: UseKind::From,
        place: &stage.from,
    }];
    for step in &stage.steps {
        match &step.value {
            Step::Copy(c) => out.extend(c.copy.from.iter().map(|place| Use {
                kind: UseKind::Copy,
                place,
            })),
            Step::Run(r) => {
                for mount in &r.mounts {
                    let (kind, from) = match &mount.value {
                        Mount::Bind(b) => (UseKind::Bind, &b.from),
                        Mount::Cache(c) => (UseKind::Cache, &c.from),
                        _ => continue,
                    };
                    out.extend(from.iter().map(|place| Use { kind, place }));
                }
            }
            _ => {}
        }
    }
    out
}

/// The stages building `start` needs, `start` first, each once (depth first, in the order
/// the file uses them). `name_of` says what a reference names (expanded, or as written);
/// a reference it returns `None` for, or that names no stage, is not followed.
pub fn needed_stages<'m>(
    model: &'m BuildFile,
    start: &str,
    mut name_of: impl FnMut(&'m Sp<String>) -> Option<String>,
) -> Vec<&'m str> {
    let mut out: Vec<&'m str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![start.to_string()];
    while let Some(name) = todo.pop() {
        let Some((key, stage)) = model.stages.get_key_value(name.as_str()) else {
            continue;
        };
        if !seen.insert(key.value.as_str()) {
            continue;
        }
        out.push(&key.value);
        let used: Vec<String> = uses(stage)
            .into_iter()
            .filter_map(|used| name_of(used.place))
            .collect();
        todo.extend(used.into_iter().rev());
    }
    out
}
