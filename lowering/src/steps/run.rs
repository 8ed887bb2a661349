//! `run` steps: the exec op, its mounts (cache, secret, ssh, tmpfs, bind).

use super::*;

impl Lowerer<'_> {
    pub(super) fn run(
        &mut self,
        state: &mut StageState,
        run: &RunStep,
        span: Span,
        counter: &mut StepCounter,
    ) {
        // The step's own env applies to this command only.
        let mut env = std::borrow::Cow::Borrowed(state.env.as_slice());
        for (key, value) in &run.env {
            if let Some(v) = self.expand(value, &env) {
                set_env(env.to_mut(), &key.value, &v);
            }
        }
        let args: Vec<String> = match &run.run.value {
            Command::Shell(script) => match self.expand(script, &env) {
                Some(s) => vec!["/bin/sh".into(), "-c".into(), s],
                None => return,
            },
            Command::Argv(argv) => {
                let expanded: Vec<Option<String>> =
                    argv.iter().map(|a| self.expand(a, &env)).collect();
                match expanded.into_iter().collect() {
                    Some(v) => v,
                    None => return,
                }
            }
        };
        let cwd = match &run.workdir {
            Some(w) => match self.expand(w, &env) {
                Some(w) => join(&state.workdir, &w),
                None => return,
            },
            None => state.workdir.clone(),
        };
        let user = match &run.user {
            Some(u) => self.expand(u, &env).unwrap_or_default(),
            None => state.user.clone(),
        };
        let summary = match &run.run.value {
            Command::Shell(_) => args[2].clone(),
            Command::Argv(_) => args.join(" "),
        };
        let mut spec = ExecSpec {
            args,
            env: env_strings(&env),
            cwd,
            user,
            network: run.network.as_ref().map_or(Network::Default, |n| n.value),
            security: run.security.as_ref().map_or(Security::Sandbox, |s| s.value),
            mounts: Vec::new(),
        };
        for mount in &run.mounts {
            if let Some(m) = self.mount(state, &mount.value, mount.span) {
                spec.mounts.push(m);
            }
        }
        let name = counter.name(&format!("run: {summary}"));
        state.record(format!("RUN {summary}"), false);
        self.exec(state, spec, name, span);
    }

    pub(super) fn mount(
        &mut self,
        state: &StageState,
        mount: &Mount,
        span: Span,
    ) -> Option<MountSpec> {
        let env = &state.env;
        // Caps that only some mounts need are attributed to the mount, so a refusal points at it.
        let mount_caps: &[&'static str] = match mount {
            Mount::Secret(m) if m.env.is_some() => &["exec.secretenv"],
            Mount::Tmpfs(m) if m.size.is_some() => &["exec.mount.tmpfs.size"],
            Mount::Bind(m) if m.readonly.as_ref().is_some_and(|r| !r.value) => {
                &["exec.mount.bind.readwrite-nooutput"]
            }
            _ => &[],
        };
        self.cap_uses
            .extend(mount_caps.iter().map(|cap| (*cap, span)));
        Some(match mount {
            Mount::Cache(m) => {
                let target = self.expand(&m.cache, env)?;
                let id = match &m.id {
                    Some(id) => self.expand(id, env)?,
                    None => target.clone(),
                };
                let sharing = m.sharing.as_ref().map_or(Sharing::Shared, |s| s.value);
                MountSpec::Cache {
                    target,
                    id,
                    sharing,
                }
            }
            Mount::Secret(m) => {
                let id = self.expand(&m.secret, env)?;
                let target = match &m.target {
                    Some(t) => Some(self.expand(t, env)?),
                    None => None,
                };
                let env_name = m.env.as_ref().map(|e| e.value.clone());
                let target = match (target, &env_name) {
                    (Some(t), _) => Some(t),
                    (None, Some(_)) => None,
                    (None, None) => Some(format!("/run/secrets/{id}")),
                };
                MountSpec::Secret {
                    id,
                    target,
                    env: env_name,
                    required: m.required.as_ref().is_some_and(|r| r.value),
                }
            }
            Mount::Ssh(m) => {
                let id = self.expand(&m.ssh, env)?;
                let target = match &m.target {
                    Some(t) => self.expand(t, env)?,
                    None => "/run/buildkit/ssh_agent.0".into(),
                };
                MountSpec::Ssh {
                    id,
                    target,
                    required: m.required.as_ref().is_some_and(|r| r.value),
                }
            }
            Mount::Tmpfs(m) => MountSpec::Tmpfs {
                target: self.expand(&m.tmpfs, env)?,
                size: m.size.as_ref().map(|s| s.value),
            },
            Mount::Bind(m) => {
                let target = self.expand(&m.bind, env)?;
                let source_state =
                    self.source_state(state, m.from.as_ref(), m.context.as_ref(), span)?;
                let selector = match &m.source {
                    Some(s) => self
                        .expand(s, env)?
                        .trim_start_matches("./")
                        .trim_start_matches('/')
                        .to_string(),
                    None => String::new(),
                };
                let readonly = m.readonly.as_ref().is_none_or(|r| r.value);
                MountSpec::Bind {
                    target,
                    state: source_state,
                    selector,
                    readonly,
                }
            }
        })
    }

    pub(crate) fn exec(
        &mut self,
        state: &mut StageState,
        spec: ExecSpec,
        name: String,
        span: Span,
    ) {
        let mut caps: Vec<&'static str> = vec!["exec.meta.base", "exec.mount.bind"];
        let mut inputs = Inputs::default();
        let mut mounts = vec![pb::Mount {
            input: inputs.index(state.fs.as_ref()),
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
                    ..Default::default()
                }),
                mounts,
                network: network as i32,
                security: security as i32,
                secretenv: secret_env,
            })),
            platform: Some(crate::platform::to_pb(&state.platform)),
            constraints: Some(pb::WorkerConstraints::default()),
        };
        let digest = self.add_op(&op, name, &caps, span);
        state.fs = Some(Output { digest, index: 0 });
    }
}

/// What a `run` step's mounts add to its exec op, besides the mounts themselves.
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
            } => {
                self.caps.push("exec.mount.cache");
                if sharing != Sharing::Shared {
                    self.caps.push("exec.mount.cache.sharing");
                }
                let sharing = match sharing {
                    Sharing::Shared => pb::CacheSharingOpt::Shared,
                    Sharing::Private => pb::CacheSharingOpt::Private,
                    Sharing::Locked => pb::CacheSharingOpt::Locked,
                };
                return Some(pb::Mount {
                    cache_opt: Some(pb::CacheOpt {
                        id,
                        sharing: sharing as i32,
                    }),
                    ..detached_mount(target, pb::MountType::Cache)
                });
            }
            MountSpec::Secret {
                id,
                target,
                env: env_name,
                required,
            } => {
                if let Some(name) = env_name {
                    self.caps.push("exec.secretenv");
                    self.secret_env.push(pb::SecretEnv {
                        id: id.clone(),
                        name,
                        optional: !required,
                    });
                }
                if let Some(target) = target {
                    self.caps.push("exec.mount.secret");
                    return Some(pb::Mount {
                        secret_opt: Some(pb::SecretOpt {
                            id,
                            uid: 0,
                            gid: 0,
                            mode: 0o400,
                            optional: !required,
                        }),
                        ..detached_mount(target, pb::MountType::Secret)
                    });
                }
            }
            MountSpec::Ssh {
                id,
                target,
                required,
            } => {
                self.caps.push("exec.mount.ssh");
                if !self.env.iter().any(|e| e.starts_with("SSH_AUTH_SOCK=")) {
                    self.env.push(format!("SSH_AUTH_SOCK={target}"));
                }
                return Some(pb::Mount {
                    ssh_opt: Some(pb::SshOpt {
                        id,
                        uid: 0,
                        gid: 0,
                        mode: 0o600,
                        optional: !required,
                    }),
                    ..detached_mount(target, pb::MountType::Ssh)
                });
            }
            MountSpec::Tmpfs { target, size } => {
                self.caps.push("exec.mount.tmpfs");
                if size.is_some() {
                    self.caps.push("exec.mount.tmpfs.size");
                }
                return Some(pb::Mount {
                    tmpfs_opt: size.map(|s| pb::TmpfsOpt { size: s as i64 }),
                    ..detached_mount(target, pb::MountType::Tmpfs)
                });
            }
            MountSpec::Bind {
                target,
                state: source,
                selector,
                readonly,
            } => {
                if !selector.is_empty() {
                    self.caps.push("exec.mount.selector");
                }
                if !readonly {
                    self.caps.push("exec.mount.bind.readwrite-nooutput");
                }
                return Some(pb::Mount {
                    input: self.inputs.index(source.as_ref()),
                    selector,
                    dest: target,
                    output: -1,
                    readonly,
                    ..Default::default()
                });
            }
        }
        None
    }
}
