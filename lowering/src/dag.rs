//! The LLB graph being built: ops keyed by the digest of their exact bytes, with metadata and
//! source locations, marshalled into a `Definition` in a deterministic order.

use crate::ops::{BuiltOp, Output};
use indexmap::IndexMap;
use kiln_proto::pb;
use prost::Message;
use std::collections::BTreeMap;

struct Entry {
    /// The op as marshalled when it was built (never encoded again).
    bytes: Vec<u8>,
    /// Digests of the op's inputs, kept so the graph can be walked without decoding.
    inputs: Vec<String>,
    name: String,
    /// Every cap the op was added with (repeats included: they become a set at the end).
    caps: Vec<&'static str>,
    ignore_cache: bool,
    locations: Vec<pb::Range>,
}

/// The ops added so far, in the order they were added (inputs always before their users).
#[derive(Default)]
pub struct Dag {
    entries: IndexMap<String, Entry>,
}

/// What to record about an op besides its bytes.
pub struct OpInfo {
    pub name: String,
    pub location: Option<pb::Range>,
    pub ignore_cache: bool,
}

impl Dag {
    /// Add an op (or find the identical one already there) and return its first output.
    pub fn add(&mut self, op: BuiltOp, info: OpInfo) -> Output {
        let output = op.output(0);
        let entry = match self.entries.entry(op.digest) {
            indexmap::map::Entry::Occupied(e) => {
                let entry = e.into_mut();
                entry.caps.extend(op.caps);
                entry
            }
            indexmap::map::Entry::Vacant(e) => e.insert(Entry {
                bytes: op.bytes,
                inputs: op.op.inputs.into_iter().map(|i| i.digest).collect(),
                name: info.name,
                caps: op.caps,
                ignore_cache: false,
                locations: Vec::new(),
            }),
        };
        entry.ignore_cache |= info.ignore_cache;
        if let Some(range) = info.location
            && !entry.locations.contains(&range)
        {
            entry.locations.push(range);
        }
        output
    }

    /// The Definition whose result is `head` (`None`: an empty filesystem), leaving out the
    /// ops `head` does not need. `source` (the build file) and each op's location in it are
    /// attached when the whole stays under `max_bytes`.
    pub fn into_definition(
        self,
        head: Option<&Output>,
        source: Option<pb::SourceInfo>,
        max_bytes: usize,
    ) -> pb::Definition {
        let Some(head) = head else {
            return pb::Definition::default();
        };
        let needed = self.reachable(&head.digest);
        let mut definition = pb::Definition::default();
        let mut locations = BTreeMap::new();
        for (needed, (digest, entry)) in needed.into_iter().zip(self.entries) {
            if !needed {
                continue;
            }
            definition.def.push(entry.bytes);
            if !entry.locations.is_empty() {
                let location = pb::Location {
                    source_index: 0,
                    ranges: entry.locations,
                };
                locations.insert(
                    digest.clone(),
                    pb::Locations {
                        locations: vec![location],
                    },
                );
            }
            let metadata = pb::OpMetadata {
                description: BTreeMap::from([("llb.customname".to_string(), entry.name)]),
                caps: entry.caps.iter().map(|c| (c.to_string(), true)).collect(),
                ignore_cache: entry.ignore_cache,
                ..Default::default()
            };
            definition.metadata.insert(digest, metadata);
        }
        // The terminal op: no operation, one input selecting the result. It must come last.
        let terminal = pb::Op {
            inputs: vec![pb::Input {
                digest: head.digest.clone(),
                index: head.index,
            }],
            ..Default::default()
        };
        let bytes = terminal.encode_to_vec();
        let caps = ["constraints", "platform"]
            .map(|c| (c.to_string(), true))
            .into();
        definition.metadata.insert(
            kiln_proto::digest(&bytes),
            pb::OpMetadata {
                caps,
                ..Default::default()
            },
        );
        definition.def.push(bytes);
        if let Some(info) = source {
            let source = pb::Source {
                locations,
                infos: vec![info],
            };
            // Ops and their metadata are about the same size: only measure exactly near the limit.
            let ops: usize = definition.def.iter().map(Vec::len).sum();
            let roughly = 3 * ops + 2 * source.infos[0].data.len();
            if roughly < max_bytes / 2
                || definition.encoded_len() + source.encoded_len() < max_bytes
            {
                definition.source = Some(source);
            }
        }
        definition
    }

    /// Which entries (by position) `head` needs, itself included.
    fn reachable(&self, head: &str) -> Vec<bool> {
        let mut needed = vec![false; self.entries.len()];
        let mut work: Vec<usize> = self.entries.get_index_of(head).into_iter().collect();
        while let Some(i) = work.pop() {
            if std::mem::replace(&mut needed[i], true) {
                continue;
            }
            let (_, entry) = self.entries.get_index(i).expect("index from this map");
            work.extend(
                entry
                    .inputs
                    .iter()
                    .filter_map(|d| self.entries.get_index_of(d.as_str())),
            );
        }
        needed
    }
}
