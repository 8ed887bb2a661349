//! Exec ops: a command with its mounts (cache, secret, ssh, tmpfs, bind), and the kiln
//! tool's unzip.

use super::{BuiltOp, Inputs, Output};
use kiln_dsl::model::{Network, Security, Sharing};
use kiln_proto::pb;

/// What a command runs with.
pub struct ExecSpec {
    pub args: Vec<String>,
    /// `NAME=value` strings.
    pub env: Vec<String>,
    pub cwd: String,
    pub user: String,
    pub network: Network,
    pub security: Security,
    pub mounts: Vec<MountSpec>,
    /// Ask the executor to remove the mount points it had to create (`/run/secrets` for a
    /// secret at `/run/secrets/x`), as the Dockerfile frontend always does (BuildKit v0.11;
    /// older ones ignore the field and leave them).
    pub remove_mount_stubs: bool,
}

pub enum MountSpec {
    Cache {
        target: String,
        id: String,
        sharing: Sharing,
        /// What a new cache starts with (`None`: empty), at `selector` inside it.
        state: Option<Output>,
        selector: String,
        readonly: bool,
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

/// `NAME=value` strings, as an exec op's environment.
pub fn env_strings(env: &[(String, String)]) -> Vec<String> {
    env.iter()
        .map(|(k, v)| {
            let mut entry = String::with_capacity(k.len() + 1 + v.len());
            entry.push_str(k);
            entry.push('=');
            entry.push_str(v);
            entry
        })
        .collect()
}

/// The exec op of `spec` on the root filesystem `root` (`None`: scratch) for `platform`.
pub fn exec_op(spec: ExecSpec, root: Option<&Output>, platform: pb::Platform) -> BuiltOp {
    let mut caps: Vec<&'static str> = vec!["exec.meta.base", "exec.mount.bind"];
    let mut inputs = Inputs::default();
    let mut mounts = vec![pb::Mount {
        input: inputs.index(root),
        dest: "/".into(),
        output: 0,
        ..Default::default()
    }];
    let mut secret_env = Vec::new();
    let mut env = spec.env;
    if !env.iter().any(|e| e.starts_with("PATH=")) {
        caps.push("exec.meta.setsdefaultpath");
    }
    for mount in spec.mounts {
        let mut parts = ExecParts {
            caps: &mut caps,
            inputs: &mut inputs,
            env: &mut env,
            secret_env: &mut secret_env,
        };
        mounts.extend(parts.mount(mount));
    }
    // BuildKit expects mounts ordered by destination (the root first).
    mounts.sort_by(|a, b| a.dest.cmp(&b.dest));
    let network = match spec.network {
        Network::Default => pb::NetMode::Unset,
        Network::None => pb::NetMode::None,
        Network::Host => pb::NetMode::Host,
    };
    if network != pb::NetMode::Unset {
        caps.push("exec.meta.network");
    }
    let security = match spec.security {
        Security::Sandbox => pb::SecurityMode::Sandbox,
        Security::Insecure => {
            caps.push("exec.meta.security");
            pb::SecurityMode::Insecure
        }
    };
    let op = pb::Op {
        inputs: inputs.into_pb(),
        op: Some(pb::op::Op::Exec(pb::ExecOp {
            meta: Some(pb::Meta {
                args: spec.args,
                env,
                cwd: spec.cwd,
                user: spec.user,
                remove_mount_stubs_recursive: spec.remove_mount_stubs,
                ..Default::default()
            }),
            mounts,
            network: network as i32,
            security: security as i32,
            secretenv: secret_env,
        })),
        platform: Some(platform),
        constraints: Some(pb::WorkerConstraints::default()),
    };
    BuiltOp::new(op, caps)
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

/// What a command's mounts add to its exec op, besides the mounts themselves.
struct ExecParts<'a> {
    caps: &'a mut Vec<&'static str>,
    inputs: &'a mut Inputs,
    env: &'a mut Vec<String>,
    secret_env: &'a mut Vec<pb::SecretEnv>,
}

impl ExecParts<'_> {
    /// The op's mount for one of the step's mounts (none for a secret given only as an
    /// environment variable), with the caps it needs.
    fn mount(&mut self, mount: MountSpec) -> Option<pb::Mount> {
        match mount {
            MountSpec::Cache {
                target,
                id,
                sharing,
                state,
                selector,
                readonly,
            } => {
                if !selector.is_empty() {
                    self.caps.push("exec.mount.selector");
                }
                self.caps.push("exec.mount.cache");
                if sharing != Sharing::Shared {
                    self.caps.push("exec.mount.cache.sharing");
                }
                let sharing = match sharing {
                    Sharing::Shared => pb::CacheSharingOpt::Shared,
                    Sharing::Private => pb::CacheSharingOpt::Private,
                    Sharing::Locked => pb::CacheSharingOpt::Locked,
                };
                Some(pb::Mount {
                    input: self.inputs.index(state.as_ref()),
                    selector,
                    readonly,
                    cache_opt: Some(pb::CacheOpt {
                        id,
                        sharing: sharing as i32,
                    }),
                    ..detached_mount(target, pb::MountType::Cache)
                })
            }
            MountSpec::Secret {
                id,
                target,
                env,
                required,
            } => self.secret(id, target, env, required),
            MountSpec::Ssh {
                id,
                target,
                required,
            } => Some(self.ssh(id, target, required)),
            MountSpec::Tmpfs { target, size } => {
                self.caps.push("exec.mount.tmpfs");
                if size.is_some() {
                    self.caps.push("exec.mount.tmpfs.size");
                }
                Some(pb::Mount {
                    tmpfs_opt: size.map(|s| pb::TmpfsOpt { size: s as i64 }),
                    ..detached_mount(target, pb::MountType::Tmpfs)
                })
            }
            MountSpec::Bind {
                target,
                state,
                selector,
                readonly,
            } => {
                if !selector.is_empty() {
                    self.caps.push("exec.mount.selector");
                }
                if !readonly {
                    self.caps.push("exec.mount.bind.readwrite-nooutput");
                }
                Some(pb::Mount {
                    input: self.inputs.index(state.as_ref()),
                    selector,
                    dest: target,
                    output: -1,
                    readonly,
                    ..Default::default()
                })
            }
        }
    }

    /// The SSH agent socket, which `SSH_AUTH_SOCK` points at unless the step set it.
    fn ssh(&mut self, id: String, target: String, required: bool) -> pb::Mount {
        self.caps.push("exec.mount.ssh");
        if !self.env.iter().any(|e| e.starts_with("SSH_AUTH_SOCK=")) {
            self.env.push(format!("SSH_AUTH_SOCK={target}"));
        }
        pb::Mount {
            ssh_opt: Some(pb::SshOpt {
                id,
                uid: 0,
                gid: 0,
                mode: 0o600,
                optional: !required,
            }),
            ..detached_mount(target, pb::MountType::Ssh)
        }
    }

    /// A secret as an environment variable, a file, or both.
    fn secret(
        &mut self,
        id: String,
        target: Option<String>,
        env: Option<String>,
        required: bool,
    ) -> Option<pb::Mount> {
        if let Some(name) = env {
            self.caps.push("exec.secretenv");
            self.secret_env.push(pb::SecretEnv {
                id: id.clone(),
                name,
                optional: !required,
            });
        }
        let target = target?;
        self.caps.push("exec.mount.secret");
        Some(pb::Mount {
            secret_opt: Some(pb::SecretOpt {
                id,
                uid: 0,
                gid: 0,
                mode: 0o400,
                optional: !required,
            }),
            ..detached_mount(target, pb::MountType::Secret)
        })
    }
}

/// Unpack a zip archive (`/<filename>` of `archive`) with the kiln tool (`tool`: the
/// frontend image's filesystem) on `platform`, without network. The files are at the root
/// of output 1.
pub fn unzip_op(tool: Output, archive: Output, filename: &str, platform: pb::Platform) -> BuiltOp {
    let mounts = vec![
        pb::Mount {
            input: 0,
            dest: "/".into(),
            output: 0,
            ..Default::default()
        },
        pb::Mount {
            input: 1,
            dest: "/in".into(),
            output: -1,
            readonly: true,
            ..Default::default()
        },
        pb::Mount {
            input: -1,
            dest: "/out".into(),
            output: 1,
            ..Default::default()
        },
    ];
    let op = pb::Op {
        inputs: Inputs(vec![tool, archive]).into_pb(),
        op: Some(pb::op::Op::Exec(pb::ExecOp {
            meta: Some(pb::Meta {
                args: vec![
                    "/bin/kiln-frontend".into(),
                    "unzip".into(),
                    format!("/in/{filename}"),
                    "/out".into(),
                ],
                env: vec!["PATH=/bin".into()],
                cwd: "/".into(),
                ..Default::default()
            }),
            mounts,
            network: pb::NetMode::None as i32,
            security: pb::SecurityMode::Sandbox as i32,
            secretenv: Vec::new(),
        })),
        platform: Some(platform),
        constraints: Some(pb::WorkerConstraints::default()),
    };
    let caps = vec!["exec.meta.base", "exec.mount.bind", "exec.meta.network"];
    BuiltOp::new(op, caps)
}
