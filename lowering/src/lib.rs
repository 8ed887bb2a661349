//! Lowering: a checked kiln model → a BuildKit LLB `Definition` and the OCI image config of
//! one target on one platform. A pure function: no I/O; whatever the builder knows (base
//! image configs, caps, build args) comes in through `LowerOptions`.

mod caps;
mod compile;
mod dag;
mod discover;
mod image;
pub mod json;
mod lower;
mod packages;
mod plan;
mod platform;
mod sources;
mod steps;

pub use caps::{CapSet, introduced_in};
pub use compile::{Build, CompileError, Compiled, ImageResolver, Offline, compile};
pub use image::{ContainerConfig, History, ImageConfig};
pub use lower::{BaseImage, LowerOptions, Lowered, lower};
pub use plan::{
    ArgValue, GivenArgs, Reached, Selection, arg_value, arg_values_as_written, expand_known, reach,
    select, select_target,
};
pub use sources::normalize_image;

use kiln_proto::pb;

/// A Definition of a chain of ops, each the input of the next (`inputs` are set here),
/// whose result is the last: for the few ops a frontend solves on its own.
pub fn chain_definition(ops: Vec<(pb::Op, String, Vec<&'static str>)>) -> pb::Definition {
    let mut dag = dag::Dag::default();
    let mut head: Option<dag::Output> = None;
    for (mut op, name, caps) in ops {
        if let Some(previous) = head.take() {
            op.inputs = vec![pb::Input {
                digest: previous.digest,
                index: previous.index,
            }];
        }
        let info = dag::OpInfo {
            name,
            caps: &caps,
            location: None,
            ignore_cache: false,
        };
        head = Some(dag::Output {
            digest: dag.add(&op, info),
            index: 0,
        });
    }
    dag.into_definition(head.as_ref(), None, usize::MAX)
}

/// The ops that fetch a context tar the client sent (`context=http://build-context-...`)
/// and unpack it, named for progress output.
pub fn tar_context_ops(url: &str, name: &str) -> Vec<(pb::Op, String, Vec<&'static str>)> {
    let (download, caps) = sources::http_op(url, None, "context", None);
    let unpack = pb::Op {
        op: Some(pb::op::Op::File(pb::FileOp {
            actions: vec![sources::unpack_context(0)],
        })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    };
    vec![
        (download, "[internal] load build context".into(), caps),
        (unpack, name.to_string(), vec!["file.base"]),
    ]
}
