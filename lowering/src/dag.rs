//! The LLB graph being built: ops keyed by the digest of their exact bytes, with metadata and
//! source locations, marshalled into a `Definition` in a deterministic order.

use crate::ops::{BuiltOp, Output};
use indexmap::IndexMap;
use kiln_proto::pb;
use prost::Message;
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes a digest key by a few of its hex digits: the keys are sha256 digests, already
/// uniform, so hashing all 71 bytes (as SipHash would) buys nothing.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `sha256:` then hex: 16 hex digits after the prefix, or whatever there is.
        let tail = bytes.get(7..23).unwrap_or(bytes);
        for &b in tail {
            self.0 = self.0.rotate_left(5) ^ u64::from(b);
        }
    }
}

type DigestMap<V> = IndexMap<String, V, BuildHasherDefault<DigestHasher>>;

struct Entry {
    /// The op as marshalled when it was built (never encoded again).
    bytes: Vec<u8>,
    /// Positions of the op's inputs in the graph (always before it), to walk it without
    /// decoding or looking digests up.
    inputs: Vec<usize>,
    name: String,
    /// Every cap the op was added with (repeats included: they become a set at the end).
    caps: Vec<&'static str>,
    ignore_cache: bool,
    locations: Vec<pb::Range>,
    /// The same locations as a set, once there are many: an op shared by many steps (the
    /// base image of every stage) would otherwise make each new location a scan of them all.
    located: HashSet<pb::Range>,
}

/// Up to this many locations, a scan finds a repeat as fast as a set would.
const SCANNED_LOCATIONS: usize = 8;

impl Entry {
    /// Record where the op comes from, once per place, in the order first seen.
    fn locate(&mut self, range: pb::Range) {
        if self.locations.len() < SCANNED_LOCATIONS {
            if !self.locations.contains(&range) {
                self.locations.push(range);
            }
            return;
        }
        if self.located.is_empty() {
            self.located.extend(self.locations.iter().copied());
        }
        if self.located.insert(range) {
            self.locations.push(range);
        }
    }
}

/// The ops added so far, in the order they were added (inputs always before their users).
#[derive(Default)]
pub struct Dag {
    entries: DigestMap<Entry>,
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
        // The inputs were added before (a handful per op): looked up before the one lookup
        // of the op itself, and dropped when it is already here.
        let inputs: Vec<usize> = (op.op.inputs.iter())
            .filter_map(|i| self.entries.get_index_of(i.digest.as_str()))
            .collect();
        let entry = match self.entries.entry(op.digest) {
            indexmap::map::Entry::Occupied(e) => {
                let entry = e.into_mut();
                entry.caps.extend(op.caps);
                entry
            }
            indexmap::map::Entry::Vacant(e) => e.insert(Entry {
                bytes: op.bytes,
                inputs,
                name: info.name,
                caps: op.caps,
                ignore_cache: false,
                locations: Vec::new(),
                located: HashSet::new(),
            }),
        };
        entry.ignore_cache |= info.ignore_cache;
        if let Some(range) = info.location {
            entry.locate(range);
        }
        output
    }

    /// Record one more location of the op named `digest` (nothing when it is not here).
    pub fn locate(&mut self, digest: &str, range: pb::Range) {
        if let Some(entry) = self.entries.get_mut(digest) {
            entry.locate(range);
        }
    }

    /// The Definition whose result is `head` (`None`: an empty filesystem), leaving out the
    /// ops `head` does not need. `source` (the build file) and each op's location in it are
    /// attached when the whole stays under `max_bytes`.
    ///
    /// `source` makes the build file's info, only when it may fit.
    pub fn into_definition(
        self,
        head: Option<&Output>,
        source: Option<impl FnOnce() -> pb::SourceInfo>,
        max_bytes: usize,
    ) -> pb::Definition {
        let Some(head) = head else {
            return pb::Definition::default();
        };
        let needed = self.reachable(&head.digest);
        let count = needed.iter().filter(|n| **n).count();
        // The Definition holds at least each op's bytes, digest and name, and the source at
        // least the file: when that much reaches the limit, no source fits, and neither the
        // file is copied nor the locations gathered (nor the exact size measured).
        let needed_entries = || (needed.iter().zip(&self.entries)).filter(|(needed, _)| **needed);
        let ops: usize = needed_entries().map(|(_, (_, e))| e.bytes.len()).sum();
        let least: usize = ops
            + needed_entries()
                .map(|(_, (digest, e))| digest.len() + e.name.len())
                .sum::<usize>();
        // (When the rough estimate says it fits, `attach` attaches it without measuring.)
        let may_fit = |data: usize| least + data < max_bytes || roughly_fits(ops, data, max_bytes);
        let source = match source {
            Some(make) if may_fit(0) => Some(make()).filter(|info| may_fit(info.data.len())),
            _ => None,
        };
        let mut definition = pb::Definition {
            def: Vec::with_capacity(count + 1),
            ..Default::default()
        };
        let mut metadata = Vec::with_capacity(count + 1);
        let mut located = Vec::with_capacity(count);
        for (needed, (digest, entry)) in needed.into_iter().zip(self.entries) {
            if !needed {
                continue;
            }
            definition.def.push(entry.bytes);
            if source.is_some() && !entry.locations.is_empty() {
                located.push((digest.clone(), entry.locations));
            }
            let op_metadata = pb::OpMetadata {
                description: BTreeMap::from([("llb.customname".to_string(), entry.name)]),
                caps: cap_set(entry.caps),
                ignore_cache: entry.ignore_cache,
                ..Default::default()
            };
            metadata.push(Some((digest, op_metadata)));
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
        metadata.push(Some((
            kiln_proto::digest(&bytes),
            pb::OpMetadata {
                caps,
                ..Default::default()
            },
        )));
        definition.metadata = sorted_map(metadata);
        definition.def.push(bytes);
        if let Some(info) = source {
            definition.source = attach(&definition, info, located, max_bytes);
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
            work.extend(&entry.inputs);
        }
        needed
    }
}

/// The source (the build file and each op's locations in it) when the Definition with it
/// stays under `max_bytes`.
fn attach(
    definition: &pb::Definition,
    info: pb::SourceInfo,
    located: Vec<(String, Vec<pb::Range>)>,
    max_bytes: usize,
) -> Option<pb::Source> {
    // Ops and their metadata are about the same size: only measure exactly near the limit.
    let ops: usize = definition.def.iter().map(Vec::len).sum();
    let roughly_fits = roughly_fits(ops, info.data.len(), max_bytes);
    let without_locations = pb::Source {
        locations: BTreeMap::new(),
        infos: vec![info],
    };
    // Locations only add to the size: past the limit without them, there is no need to
    // build them to know the source stays out.
    let definition_len = if roughly_fits {
        0
    } else {
        definition.encoded_len()
    };
    if !roughly_fits && definition_len + without_locations.encoded_len() >= max_bytes {
        return None;
    }
    let locations = located
        .into_iter()
        .map(|(digest, ranges)| {
            let location = pb::Location {
                source_index: 0,
                ranges,
            };
            let locations = pb::Locations {
                locations: vec![location],
            };
            (digest, locations)
        })
        .collect();
    let source = pb::Source {
        locations,
        ..without_locations
    };
    (roughly_fits || definition_len + source.encoded_len() < max_bytes).then_some(source)
}

/// Whether a Definition of `ops` bytes of ops with a file of `data` bytes is surely under
/// `max_bytes`: ops and their metadata are about the same size, so only near the limit is
/// it worth measuring exactly.
fn roughly_fits(ops: usize, data: usize, max_bytes: usize) -> bool {
    3 * ops + 2 * data < max_bytes / 2
}

/// The caps an op was added with (repeats included), as the set its metadata holds: sorted
/// and deduplicated while they are still `&'static str`, so each becomes a `String` once.
fn cap_set(mut caps: Vec<&'static str>) -> BTreeMap<String, bool> {
    caps.sort_unstable();
    caps.dedup();
    caps.into_iter().map(|c| (c.to_string(), true)).collect()
}

/// A map of `entries` (unique keys) built at once: sorted by key through their positions,
/// so the large values move once, rather than inserted node by node.
fn sorted_map<V>(mut entries: Vec<Option<(String, V)>>) -> BTreeMap<String, V> {
    // Each position goes with the first bytes of its key, so most comparisons stay in this
    // vector instead of following two pointers to the keys (digests, which differ early).
    let mut order: Vec<(u128, usize)> = (entries.iter().enumerate())
        .map(|(i, e)| (key_prefix(e.as_ref().map_or("", |(k, _)| k)), i))
        .collect();
    let key = |i: usize| entries[i].as_ref().map(|(k, _)| k);
    // Stable: of equal keys the last wins, as when inserting one by one.
    order.sort_by(|(pa, a), (pb, b)| pa.cmp(pb).then_with(|| key(*a).cmp(&key(*b))));
    // Gathered at their final size first: collected straight into the map, the entries
    // (large) would be moved again each time the vector under it grew.
    let mut sorted = Vec::with_capacity(order.len());
    sorted.extend(order.into_iter().filter_map(|(_, i)| entries[i].take()));
    sorted.into_iter().collect()
}

/// The first 16 bytes of `key` (zeros past its end) as a number that orders as they do: keys
/// whose numbers differ are in that order; equal numbers leave it to the whole keys.
fn key_prefix(key: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = key.len().min(16);
    bytes[..n].copy_from_slice(&key.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}
