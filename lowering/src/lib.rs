//! Lowering: a checked kiln model → a BuildKit LLB `Definition` and the OCI image config of
//! one target on one platform. A pure function: no I/O; whatever the builder knows (base
//! image configs, caps, build args) comes in through `LowerOptions`.

// Layers, each using only those below it: `ops` (op builders; with `caps`, `platform`),
// `dag`, `options`, `image` and `plan` (data); `context` (the Lowerer's state and shared
// helpers); `steps`, `packages` and `stages`; `lower` (the driver); `discover`, `compile`.
mod caps;
mod compile;
mod context;
mod dag;
mod discover;
mod image;
pub mod json;
mod lower;
mod ops;
mod options;
mod packages;
mod plan;
mod platform;
mod stages;
mod steps;

pub use caps::{CapSet, introduced_in};
pub use compile::{
    Build, CompileError, Compiled, ImageResolver, Offline, Resolved, compile, lower_resolved,
    resolve_base_images,
};
pub use image::{ContainerConfig, History, ImageConfig};
pub use lower::{BaseImage, LowerOptions, Lowered, lower};
pub use ops::source::normalize_image;
pub use plan::{
    ArgValue, GivenArgs, Reached, Selection, arg_value, arg_values_as_written, expand_known, reach,
    select, select_target,
};

use kiln_proto::pb;

/// A Definition of a chain of ops, each the input of the next (`inputs` are set here),
/// whose result is the last: for the few ops a frontend solves on its own.
pub fn chain_definition(ops: Vec<(pb::Op, String, Vec<&'static str>)>) -> pb::Definition {
    let mut dag = dag::Dag::default();
    let mut head: Option<ops::Output> = None;
    for (mut op, name, caps) in ops {
        if let Some(previous) = head.take() {
            op.inputs = vec![pb::Input {
                digest: previous.digest,
                index: previous.index,
            }];
        }
        let info = dag::OpInfo {
            name,
            location: None,
            ignore_cache: false,
        };
        head = Some(dag.add(ops::BuiltOp::new(op, caps), info));
    }
    dag.into_definition(head.as_ref(), None::<fn() -> pb::SourceInfo>, usize::MAX)
}

/// The ops that fetch a context tar the client sent (`context=http://build-context-...`)
/// and unpack it, named for progress output.
pub fn tar_context_ops(url: &str, name: &str) -> Vec<(pb::Op, String, Vec<&'static str>)> {
    let download = ops::source::http_op(url, None, "context", None);
    let unpack = ops::file::file_op(
        ops::Inputs::default(),
        vec![ops::file::unpack_context(0)],
        vec!["file.base"],
    );
    vec![
        (
            download.op,
            "[internal] load build context".into(),
            download.caps,
        ),
        (unpack.op, name.to_string(), unpack.caps),
    ]
}

/// One cheap op (a directory made on an empty filesystem) named `notice`: a frontend solves
/// it to show a line in the build's progress, which every client prints.
pub fn notice_op(notice: &str) -> Vec<(pb::Op, String, Vec<&'static str>)> {
    let mkdir = ops::file::file_op(
        ops::Inputs::default(),
        vec![ops::file::mkdir_action(-1, "/kiln-notice", 0o755, None)],
        vec!["file.base"],
    );
    vec![(mkdir.op, notice.to_string(), mkdir.caps)]
}
