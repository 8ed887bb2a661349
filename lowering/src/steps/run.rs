//! `run` steps: the command and its mounts (cache, secret, ssh, tmpfs, bind), as an exec op.

use super::*;

/// Where a `run` script with a shebang is mounted (the Dockerfile frontend's place for
/// heredoc files: under /dev, a tmpfs, so nothing is left in the image), and its path.
const SCRIPT_DIR: &str = "/dev/pipes/";
const SCRIPT_PATH: &str = "/dev/pipes/script";

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
        let mut script_mount = None;
        let args: Vec<String> = match &run.run.value {
            Command::Shell(script) => match self.expand(script, &env) {
                Some(s) if s.starts_with("#!") => {
                    script_mount = Some(self.script_mount(&s, span));
                    vec![s]
                }
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
            Command::Shell(_) => args.last().cloned().unwrap_or_default(),
            Command::Argv(_) => args.join(" "),
        };
        // A script with a shebang is run by path, so its interpreter reads it.
        let args = match script_mount {
            Some(_) => vec![SCRIPT_PATH.to_string()],
            None => args,
        };
        let mut spec = ExecSpec {
            args,
            env: env_strings(&env),
            cwd,
            user,
            network: run.network.as_ref().map_or(Network::Default, |n| n.value),
            security: run.security.as_ref().map_or(Security::Sandbox, |s| s.value),
            mounts: script_mount.into_iter().collect(),
            remove_mount_stubs: false,
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

    /// A `run` script that starts with `#!`, as a Dockerfile runs such a heredoc: written
    /// to an executable file (in a state of its own) that is mounted read-only where
    /// [`SCRIPT_PATH`] finds it, and run by path, so the kernel starts its interpreter.
    fn script_mount(&mut self, script: &str, span: Span) -> MountSpec {
        let action = file::mkfile_action(-1, "/script", 0o755, script.as_bytes());
        let op = file_op(Inputs::default(), vec![action], vec!["file.base"]);
        let state = self.add_op(op, "[internal] write the run script".into(), span);
        MountSpec::Bind {
            target: SCRIPT_DIR.into(),
            state: Some(state),
            selector: String::new(),
            readonly: true,
        }
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
            Mount::Cache(m) => self.cache_mount(state, m, span)?,
            Mount::Secret(m) => self.secret_mount(m, env)?,
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
            Mount::Bind(m) => self.bind_mount(state, m, span)?,
        })
    }

    /// A cache mount. A new cache starts with the files of `from` (at `source`), or empty;
    /// with `uid`, `gid` or `mode` and no `source`, it starts as a directory with that owner
    /// and mode (on top of `from`), as the Dockerfile frontend makes it.
    fn cache_mount(&mut self, state: &StageState, m: &CacheMount, span: Span) -> Option<MountSpec> {
        let env = &state.env;
        let target = self.expand(&m.cache, env)?;
        let id = match &m.id {
            Some(id) => self.expand(id, env)?,
            None => target.clone(),
        };
        let sharing = m.sharing.as_ref().map_or(Sharing::Shared, |s| s.value);
        let mut base = match &m.from {
            Some(_) => self.source_state(state, m.from.as_ref(), None, span)?,
            None => None,
        };
        let mut selector = match &m.source {
            Some(s) => self.expand(s, env)?.trim_matches('/').to_string(),
            None => String::new(),
        };
        let mode = self.mode(m.mode.as_ref(), env).ok()?;
        let owned = m.uid.is_some() || m.gid.is_some() || mode.is_some();
        if selector.is_empty() && owned {
            let uid = m.uid.as_ref().map_or(0, |u| u.value);
            let gid = m.gid.as_ref().map_or(0, |g| g.value);
            let mut inputs = Inputs::default();
            let input = inputs.index(base.as_ref());
            let owner = chown(&format!("{uid}:{gid}"), -1);
            let action = file::mkdir_action(input, "/cache", mode.unwrap_or(0o755), Some(owner));
            let op = file_op(inputs, vec![action], vec!["file.base"]);
            let name = "[internal] setting cache mount permissions".to_string();
            base = Some(self.add_op(op, name, span));
            selector = "cache".into();
        }
        Some(MountSpec::Cache {
            target,
            id,
            sharing,
            state: base,
            selector,
            readonly: m.readonly.as_ref().is_some_and(|r| r.value),
        })
    }

    fn secret_mount(&mut self, m: &SecretMount, env: &[(String, String)]) -> Option<MountSpec> {
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
        Some(MountSpec::Secret {
            id,
            target,
            env: env_name,
            required: m.required.as_ref().is_some_and(|r| r.value),
        })
    }

    fn bind_mount(&mut self, state: &StageState, m: &BindMount, span: Span) -> Option<MountSpec> {
        let env = &state.env;
        let target = self.expand(&m.bind, env)?;
        let source_state = self.source_state(state, m.from.as_ref(), m.context.as_ref(), span)?;
        let selector = match &m.source {
            Some(s) => self
                .expand(s, env)?
                .trim_start_matches("./")
                .trim_start_matches('/')
                .to_string(),
            None => String::new(),
        };
        let readonly = m.readonly.as_ref().is_none_or(|r| r.value);
        Some(MountSpec::Bind {
            target,
            state: source_state,
            selector,
            readonly,
        })
    }

    /// The exec op of `spec` on the stage's filesystem, which becomes its result.
    pub(crate) fn exec(
        &mut self,
        state: &mut StageState,
        spec: ExecSpec,
        name: String,
        span: Span,
    ) {
        let platform = crate::platform::to_pb(&state.platform);
        // Mount points the executor creates (`/run/secrets`, `/a/b` of a tmpfs at `/a/b/c`,
        // `/etc` for `/etc/hosts` on scratch) are removed after the step, as BuildKit's own
        // LLB client asks for every exec. Its cap (`exec.meta.removemountstubs.recursive`) is
        // declared but never registered, so no BuildKit reports it: the field is set always,
        // and BuildKits before v0.11 ignore it (an unknown protobuf field).
        let mut spec = spec;
        spec.remove_mount_stubs = true;
        let op = exec::exec_op(spec, state.fs.as_ref(), platform);
        state.fs = Some(self.add_op(op, name, span));
    }
}
