//! File ops and their actions (copy, mkdir, symlink), and the merge op of linked copies.

use super::{BuiltOp, Inputs, Output};
use kiln_proto::pb;

/// A file op of `actions` on `inputs`, needing `caps`.
pub fn file_op(inputs: Inputs, actions: Vec<pb::FileAction>, caps: Vec<&'static str>) -> BuiltOp {
    let op = pb::Op {
        inputs: inputs.into_pb(),
        op: Some(pb::op::Op::File(pb::FileOp { actions })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    };
    BuiltOp::new(op, caps)
}

/// `user[:group]` → ChownOpt; names are looked up in `/etc/passwd` of input `lookup`.
pub fn chown(spec: &str, lookup: i64) -> pb::ChownOpt {
    let user_opt = |part: &str| pb::UserOpt {
        user: Some(match part.parse::<u32>() {
            Ok(id) => pb::user_opt::User::ById(id),
            Err(_) => pb::user_opt::User::ByName(pb::NamedUserOpt {
                name: part.to_string(),
                input: lookup,
            }),
        }),
    };
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    pb::ChownOpt {
        user: Some(user_opt(user)),
        group: group.map(user_opt),
    }
}

/// Make `path` (and its parents) on input `input`, the op's only output.
pub fn mkdir_action(
    input: i64,
    path: &str,
    mode: u32,
    owner: Option<pb::ChownOpt>,
) -> pb::FileAction {
    pb::FileAction {
        input,
        secondary_input: -1,
        output: 0,
        action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
            path: path.to_string(),
            mode: mode as i32,
            make_parents: true,
            owner,
            timestamp: -1,
        })),
    }
}

/// A file `path` holding `data`, with `mode`, on input `input` (-1: scratch).
pub fn mkfile_action(input: i64, path: &str, mode: u32, data: &[u8]) -> pb::FileAction {
    pb::FileAction {
        input,
        secondary_input: -1,
        output: 0,
        action: Some(pb::file_action::Action::Mkfile(pb::FileActionMkFile {
            path: path.to_string(),
            mode: mode as i32,
            data: data.to_vec(),
            owner: None,
            timestamp: -1,
        })),
    }
}

/// A symlink `path` → `target` on input `input`, the op's only output.
pub fn symlink_action(input: i64, target: &str, path: &str) -> pb::FileAction {
    pb::FileAction {
        input,
        secondary_input: -1,
        output: 0,
        action: Some(pb::file_action::Action::Symlink(pb::FileActionSymlink {
            oldpath: target.to_string(),
            newpath: path.to_string(),
            owner: None,
            timestamp: -1,
        })),
    }
}

/// One copy: `src` of input `source` to `dest` on input `input` (-1: scratch).
pub struct CopyAction<'a> {
    pub input: i64,
    pub source: i64,
    /// The action's output index (-1: an intermediate result of the op).
    pub output: i64,
    pub src: String,
    pub dest: &'a str,
    pub owner: Option<pb::ChownOpt>,
    pub mode: i32,
    /// Copy a directory's contents rather than the directory.
    pub contents: bool,
    /// Wildcards in `src`; a wildcard that matches nothing copies nothing, as a Dockerfile
    /// `COPY` (`AllowEmptyWildcard`): a path without wildcards must still exist.
    pub wildcard: bool,
    /// Unpack a tar archive as Docker's ADD does.
    pub unpack: bool,
    pub exclude: &'a [String],
}

impl CopyAction<'_> {
    pub fn into_pb(self) -> pb::FileAction {
        pb::FileAction {
            input: self.input,
            secondary_input: self.source,
            output: self.output,
            action: Some(pb::file_action::Action::Copy(pb::FileActionCopy {
                src: self.src,
                dest: self.dest.to_string(),
                owner: self.owner,
                mode: self.mode,
                follow_symlink: true,
                dir_copy_contents: self.contents,
                create_dest_path: true,
                allow_wildcard: self.wildcard,
                allow_empty_wildcard: self.wildcard,
                attempt_unpack_docker_compatibility: self.unpack,
                timestamp: -1,
                exclude_patterns: self.exclude.to_vec(),
                ..Default::default()
            })),
        }
    }
}

/// The action that unpacks a context tar (input `source`, saved as `/context` by an HTTP
/// source) onto an empty filesystem, the way Docker unpacks a tar context.
pub fn unpack_context(source: i64) -> pb::FileAction {
    CopyAction {
        input: -1,
        source,
        output: 0,
        src: "/context".into(),
        dest: "/",
        owner: None,
        mode: -1,
        contents: false,
        wildcard: false,
        unpack: true,
        exclude: &[],
    }
    .into_pb()
}

/// `upper` merged onto `lower` (a linked copy onto its stage).
pub fn merge_op(lower: Output, upper: Output) -> BuiltOp {
    let mut inputs = Inputs::default();
    let merge_inputs = vec![
        pb::MergeInput {
            input: inputs.index(Some(&lower)),
        },
        pb::MergeInput {
            input: inputs.index(Some(&upper)),
        },
    ];
    let op = pb::Op {
        inputs: inputs.into_pb(),
        op: Some(pb::op::Op::Merge(pb::MergeOp {
            inputs: merge_inputs,
        })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    };
    BuiltOp::new(op, vec!["mergeop"])
}
