//! Lowering of each step kind into exec and file ops, and of a stage's image config: the
//! dispatch and the helpers every step family shares; one file per family.

mod config;
mod copy;
mod download;
mod files;
mod inputs;
mod run;

use crate::dag::Output;
use crate::lower::{Lowerer, StageState, StepCounter, set_env};
use crate::sources;
use kiln_dsl::model::*;
use kiln_dsl::{Code, Diagnostic, Sp, Span};
use kiln_proto::pb;
use std::collections::BTreeMap;

/// How an op refers to its inputs: distinct states in first-use order.
#[derive(Default)]
struct Inputs(Vec<Output>);

impl Inputs {
    /// The index of a state among the inputs (added if new); -1 for scratch.
    fn index(&mut self, state: Option<&Output>) -> i64 {
        let Some(state) = state else { return -1 };
        match self.0.iter().position(|o| o == state) {
            Some(i) => i as i64,
            None => {
                self.0.push(state.clone());
                self.0.len() as i64 - 1
            }
        }
    }

    fn into_pb(self) -> Vec<pb::Input> {
        self.0
            .into_iter()
            .map(|o| pb::Input {
                digest: o.digest,
                index: o.index,
            })
            .collect()
    }
}

/// `dir` joined to `workdir` unless absolute, keeping a trailing `/`.
fn join(workdir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let path = path.strip_prefix("./").unwrap_or(path);
    let base = workdir.trim_end_matches('/');
    if path == "." || path.is_empty() {
        format!("{base}/")
    } else {
        format!("{base}/{path}")
    }
}

fn parse_mode(text: &str) -> Option<u32> {
    u32::from_str_radix(text.strip_prefix("0o").unwrap_or(text), 8)
        .ok()
        .filter(|m| *m <= 0o7777)
}

/// `user[:group]` → ChownOpt; names are looked up in `/etc/passwd` of input `lookup`.
fn chown(spec: &str, lookup: i64) -> pb::ChownOpt {
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

fn file_op(inputs: Inputs, actions: Vec<pb::FileAction>) -> pb::Op {
    pb::Op {
        inputs: inputs.into_pb(),
        op: Some(pb::op::Op::File(pb::FileOp { actions })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    }
}

pub(crate) fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+=:/@".contains(&b))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

impl Lowerer<'_> {
    pub(crate) fn step(
        &mut self,
        state: &mut StageState,
        step: &Sp<Step>,
        counter: &mut StepCounter,
    ) {
        let span = step.span;
        match &step.value {
            Step::Run(run) => self.run(state, run, span, counter),
            Step::Copy(CopyStep { copy }) => self.copy(state, copy, span, counter),
            Step::Download(DownloadStep { download }) => {
                self.download(state, download, span, counter)
            }
            Step::Env(EnvStep { env }) => {
                let mut set = Vec::new();
                for (key, value) in env {
                    if let Some(v) = self.expand(value, &state.env) {
                        set_env(&mut state.env, &key.value, &v);
                        set.push(format!("{}={v}", key.value));
                    }
                }
                counter.name("env");
                state.record(format!("ENV {}", set.join(" ")), true);
            }
            Step::Workdir(WorkdirStep { workdir }) => {
                if let Some(dir) = self.expand(workdir, &state.env) {
                    let dir = join(&state.workdir, &dir);
                    self.workdir(state, &dir, span, counter);
                }
            }
            Step::User(UserStep { user }) => {
                if let Some(user) = self.expand(user, &state.env) {
                    counter.name("user");
                    state.user = user.clone();
                    state.image.config.user = Some(user.clone());
                    state.record(format!("USER {user}"), true);
                }
            }
            Step::Mkdir(MkdirStep { mkdir }) => self.mkdir(state, mkdir, span, counter),
            Step::Symlink(SymlinkStep { symlink }) => self.symlink(state, symlink, span, counter),
            Step::Packages(PackagesStep { packages }) => self.packages(state, packages, counter),
        }
    }
}

/// `NAME=value` strings, as an exec op's environment.
pub(crate) fn env_strings(env: &[(String, String)]) -> Vec<String> {
    env.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// A mount with no input and no output (cache, secret, ssh, tmpfs) at `dest`.
fn detached_mount(dest: String, kind: pb::MountType) -> pb::Mount {
    pb::Mount {
        input: -1,
        dest,
        output: -1,
        mount_type: kind as i32,
        ..Default::default()
    }
}

pub(crate) struct ExecSpec {
    pub args: Vec<String>,
    /// `NAME=value` strings.
    pub env: Vec<String>,
    pub cwd: String,
    pub user: String,
    pub network: Network,
    pub security: Security,
    pub mounts: Vec<MountSpec>,
}

pub(crate) enum MountSpec {
    Cache {
        target: String,
        id: String,
        sharing: Sharing,
    },
    Secret {
        id: String,
        target: Option<String>,
        env: Option<String>,
        required: bool,
    },
    Ssh {
        id: String,
        target: String,
        required: bool,
    },
    Tmpfs {
        target: String,
        size: Option<u64>,
    },
    Bind {
        target: String,
        state: Option<Output>,
        selector: String,
        readonly: bool,
    },
}
