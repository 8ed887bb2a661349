//! Lowering of each step kind into exec and file ops, and of a stage's image config.

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

    /// Dockerfile WORKDIR: create the directory (owned by the current user) and use it.
    pub(crate) fn workdir(
        &mut self,
        state: &mut StageState,
        dir: &str,
        span: Span,
        counter: &mut StepCounter,
    ) {
        if !dir.starts_with('/') {
            self.invalid_path(span, dir, "a workdir must be absolute");
            return;
        }
        let name = counter.name(&format!("workdir: {dir}"));
        let mut inputs = Inputs::default();
        let input = inputs.index(state.fs.as_ref());
        let owner = (!state.user.is_empty() && input >= 0).then(|| chown(&state.user, input));
        let action = pb::FileAction {
            input,
            secondary_input: -1,
            output: 0,
            action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                path: dir.to_string(),
                mode: 0o755,
                make_parents: true,
                owner,
                timestamp: -1,
            })),
        };
        self.apply_file_action(
            state,
            inputs,
            action,
            (name, format!("WORKDIR {dir}")),
            &["file.base"],
            span,
        );
        state.workdir = dir.to_string();
        state.image.config.working_dir = Some(dir.to_string());
    }

    /// One file action on the stage's filesystem: the op (named for progress), the new
    /// filesystem, and the history entry (`(vertex name, history text)`).
    fn apply_file_action(
        &mut self,
        state: &mut StageState,
        inputs: Inputs,
        action: pb::FileAction,
        (name, history): (String, String),
        caps: &[&'static str],
        span: Span,
    ) {
        let digest = self.add_op(&file_op(inputs, vec![action]), name, caps, span);
        state.fs = Some(Output { digest, index: 0 });
        state.record(history, false);
    }

    fn invalid_path(&mut self, span: Span, path: &str, why: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::InvalidPath, format!("invalid path `{path}`: {why}"))
                .with_label(span, "expands to an invalid path")
                .with_help("check the args this path uses"),
        );
    }

    fn run(
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

    fn mount(&mut self, state: &StageState, mount: &Mount, span: Span) -> Option<MountSpec> {
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

    /// The files a copy or bind mount reads: a stage, an image, a named context, or (neither
    /// given) the main build context.
    fn source_state(
        &mut self,
        state: &StageState,
        from: Option<&Sp<String>>,
        context: Option<&Sp<String>>,
        span: Span,
    ) -> Option<Option<Output>> {
        if let Some(context) = context {
            let name = self.expand(context, &[])?;
            return self.named_context(state, &name, context.span);
        }
        let Some(from) = from else {
            return Some(Some(self.main_context(span)));
        };
        let name = self.expand(from, &[])?;
        if name == "scratch" {
            return Some(None);
        }
        if self.model.stages.contains_key(name.as_str()) {
            let fs = self.stage_fs(&name)?;
            if fs.is_none() {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::EmptySource,
                        format!("stage `{name}` has no files to copy"),
                    )
                    .with_label(from.span, "this stage is empty (from scratch, no steps)")
                    .with_help("copy from a stage that creates files, or remove this step"),
                );
                return None;
            }
            return Some(fs);
        }
        let normalized = match sources::normalize_image(&name) {
            Ok(n) => n,
            Err(problem) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidImage,
                        format!("`{name}` is not a stage or a valid image"),
                    )
                    .with_label(from.span, problem),
                );
                return None;
            }
        };
        let platform = crate::platform::to_pb(&state.platform);
        let (op, caps) = sources::image_op(
            &normalized,
            &platform,
            self.opts.image_resolve_mode.as_deref(),
        );
        let digest = self.add_op(
            &op,
            format!("[internal] image {normalized}"),
            &caps,
            from.span,
        );
        Some(Some(Output { digest, index: 0 }))
    }

    /// A git repository checked out by BuildKit: at the pinned commit, else the ref.
    fn git_source(
        &mut self,
        git: &GitSource,
        env: &[(String, String)],
        span: Span,
    ) -> Option<Option<Output>> {
        let url = self.expand(&git.url, env)?;
        let reference = match (&git.commit, &git.reference) {
            (Some(commit), _) => Some(self.expand(commit, env)?),
            (None, Some(r)) => Some(self.expand(r, env)?),
            (None, None) => None,
        };
        let keep = git.keep_git_dir.as_ref().is_some_and(|k| k.value);
        let (op, caps) = sources::git_op(&url, reference.as_deref(), keep);
        let name = format!(
            "[internal] git {url}{}",
            reference.map(|r| format!(" {r}")).unwrap_or_default()
        );
        let digest = self.add_op(&op, name, &caps, span);
        Some(Some(Output { digest, index: 0 }))
    }

    /// The main build context: the client's `context` directory, or a tar the client sent
    /// in the request body (served by the daemon over HTTP), unpacked.
    fn main_context(&mut self, span: Span) -> Output {
        if let Some(url) = self.opts.context_tar_url.clone() {
            let (op, caps) = sources::http_op(&url, None, "context", None);
            let tar = self.add_context_op(&op, "[internal] load build context".into(), &caps, span);
            let mut inputs = Inputs::default();
            let source = inputs.index(Some(&Output {
                digest: tar,
                index: 0,
            }));
            let unpack = sources::unpack_context(source);
            let digest = self.add_context_op(
                &file_op(inputs, vec![unpack]),
                "[internal] unpack build context".into(),
                &["file.base"],
                span,
            );
            return Output { digest, index: 0 };
        }
        let exclude = self.opts.dockerignore.clone();
        let (op, caps) = sources::local_op("context", self.opts.session_id.as_deref(), &exclude);
        let digest = self.add_context_op(&op, "[internal] load build context".into(), &caps, span);
        Output { digest, index: 0 }
    }

    /// A named build context: what the client mapped the name to (`--build-context
    /// NAME=DIR|docker-image://REF`), or by default the client's local directory NAME.
    fn named_context(
        &mut self,
        state: &StageState,
        name: &str,
        span: Span,
    ) -> Option<Option<Output>> {
        let mapped = self.opts.named_contexts.get(name).cloned();
        if let Some(image) = mapped
            .as_deref()
            .and_then(|m| m.strip_prefix("docker-image://"))
        {
            let normalized = match sources::normalize_image(image) {
                Ok(n) => n,
                Err(problem) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidImage,
                            format!("context `{name}` names an invalid image `{image}`"),
                        )
                        .with_label(span, problem),
                    );
                    return None;
                }
            };
            let platform = crate::platform::to_pb(&state.platform);
            let (op, caps) = sources::image_op(
                &normalized,
                &platform,
                self.opts.image_resolve_mode.as_deref(),
            );
            let digest = self.add_op(&op, format!("[context {name}] {normalized}"), &caps, span);
            return Some(Some(Output { digest, index: 0 }));
        }
        let local = match mapped.as_deref() {
            Some(m) => {
                match m.strip_prefix("local:") {
                    Some(local) => local.to_string(),
                    None => {
                        self.diagnostics.push(
                        Diagnostic::error(Code::UnsupportedFeature, format!("context `{name}` is `{m}`, which kiln cannot use yet"))
                            .with_label(span, "named context")
                            .with_help("pass a directory (`--build-context NAME=DIR`) or `docker-image://REF`"),
                    );
                        return None;
                    }
                }
            }
            None => name.to_string(),
        };
        let (op, caps) = sources::local_op(&local, self.opts.session_id.as_deref(), &[]);
        let digest = self.add_op(&op, format!("[context {name}] load"), &caps, span);
        Some(Some(Output { digest, index: 0 }))
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
            match mount {
                MountSpec::Cache {
                    target,
                    id,
                    sharing,
                } => {
                    caps.push("exec.mount.cache");
                    if sharing != Sharing::Shared {
                        caps.push("exec.mount.cache.sharing");
                    }
                    let sharing = match sharing {
                        Sharing::Shared => pb::CacheSharingOpt::Shared,
                        Sharing::Private => pb::CacheSharingOpt::Private,
                        Sharing::Locked => pb::CacheSharingOpt::Locked,
                    };
                    mounts.push(pb::Mount {
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
                        caps.push("exec.secretenv");
                        secret_env.push(pb::SecretEnv {
                            id: id.clone(),
                            name,
                            optional: !required,
                        });
                    }
                    if let Some(target) = target {
                        caps.push("exec.mount.secret");
                        mounts.push(pb::Mount {
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
                    caps.push("exec.mount.ssh");
                    if !env.iter().any(|e| e.starts_with("SSH_AUTH_SOCK=")) {
                        env.push(format!("SSH_AUTH_SOCK={target}"));
                    }
                    mounts.push(pb::Mount {
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
                    caps.push("exec.mount.tmpfs");
                    if size.is_some() {
                        caps.push("exec.mount.tmpfs.size");
                    }
                    mounts.push(pb::Mount {
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
                        caps.push("exec.mount.selector");
                    }
                    if !readonly {
                        caps.push("exec.mount.bind.readwrite-nooutput");
                    }
                    mounts.push(pb::Mount {
                        input: inputs.index(source.as_ref()),
                        selector,
                        dest: target,
                        output: -1,
                        readonly,
                        ..Default::default()
                    });
                }
            }
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

    fn copy(&mut self, state: &mut StageState, copy: &Copy, span: Span, counter: &mut StepCounter) {
        let env = &state.env;
        let source = match &copy.git {
            Some(git) => self.git_source(git, env, span),
            None => self.source_state(state, copy.from.as_ref(), copy.context.as_ref(), span),
        };
        let Some(source) = source else {
            return;
        };
        let sources: Option<Vec<String>> =
            copy.src.value.iter().map(|s| self.expand(s, env)).collect();
        let Some(mut sources) = sources else { return };
        if let Some(subdir) = copy.git.as_ref().and_then(|g| g.subdir.as_ref()) {
            let Some(subdir) = self.expand(subdir, env) else {
                return;
            };
            let subdir = subdir.trim_matches('/');
            for src in &mut sources {
                let inside = src.trim_start_matches('/').trim_start_matches("./");
                *src = format!("/{subdir}/{inside}");
            }
        }
        let Some(mut dest) = self.expand(&copy.dst, env) else {
            return;
        };
        if sources.len() > 1 && !dest.ends_with('/') {
            dest.push('/');
        }
        let dest = join(&state.workdir, &dest);
        let exclude: Option<Vec<String>> =
            copy.exclude.iter().map(|e| self.expand(e, env)).collect();
        let exclude = exclude.unwrap_or_default();
        let mode = match &copy.chmod {
            Some(m) => match parse_mode(&m.value) {
                Some(mode) => mode as i32,
                None => {
                    self.invalid_path(m.span, &m.value, "not an octal mode");
                    return;
                }
            },
            None => -1,
        };
        let linked = copy.link.as_ref().is_some_and(|l| l.value);
        let mut caps = vec!["file.base"];
        if !exclude.is_empty() {
            caps.push("file.copy.includeexcludepatterns");
        }
        let mut inputs = Inputs::default();
        // A linked copy goes onto scratch, then merges onto the stage: it survives changes to
        // earlier steps (Dockerfile `COPY --link`).
        let base = if linked { None } else { state.fs.clone() };
        let dest_input = inputs.index(base.as_ref());
        let source_input = inputs.index(source.as_ref());
        let owner_lookup = if dest_input >= 0 { dest_input } else { -1 };
        let owner = copy
            .chown
            .as_ref()
            .map(|c| chown(&self.expand(c, env).unwrap_or_default(), owner_lookup));
        let count = inputs.0.len() as i64;
        let actions: Vec<pb::FileAction> = sources
            .iter()
            .enumerate()
            .map(|(i, src)| {
                let src = if src.starts_with('/') {
                    src.clone()
                } else {
                    format!("/{}", src.trim_start_matches("./"))
                };
                pb::FileAction {
                    input: if i == 0 {
                        dest_input
                    } else {
                        count + i as i64 - 1
                    },
                    secondary_input: source_input,
                    output: if i + 1 == sources.len() { 0 } else { -1 },
                    action: Some(pb::file_action::Action::Copy(pb::FileActionCopy {
                        src,
                        dest: dest.clone(),
                        owner: owner.clone(),
                        mode,
                        follow_symlink: true,
                        dir_copy_contents: true,
                        create_dest_path: true,
                        allow_wildcard: true,
                        allow_empty_wildcard: false,
                        timestamp: -1,
                        exclude_patterns: exclude.clone(),
                        ..Default::default()
                    })),
                }
            })
            .collect();
        let name = counter.name(&format!("copy: {} -> {dest}", sources.join(" ")));
        let digest = self.add_op(&file_op(inputs, actions), name, &caps, span);
        let copied = Output { digest, index: 0 };
        state.fs = if linked {
            Some(self.merge(state.fs.clone(), copied, span))
        } else {
            Some(copied)
        };
        state.record(format!("COPY {} {dest}", sources.join(" ")), false);
    }

    fn merge(&mut self, lower: Option<Output>, upper: Output, span: Span) -> Output {
        let Some(lower) = lower else { return upper };
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
        let digest = self.add_op(&op, "merge linked copy".into(), &["mergeop"], span);
        Output { digest, index: 0 }
    }

    fn download(
        &mut self,
        state: &mut StageState,
        download: &Download,
        span: Span,
        counter: &mut StepCounter,
    ) {
        let env = &state.env;
        let Some(url) = self.for_platform(&download.url, &state.platform, span, "URL") else {
            return;
        };
        let sha = match &download.sha256 {
            Some(s) => match self.for_platform(s, &state.platform, span, "sha256") {
                Some(v) => Some(v),
                None => return,
            },
            None => None,
        };
        let Some(url) = self.expand(&url, env) else {
            return;
        };
        let Some(dst) = self.expand(&download.dst, env) else {
            return;
        };
        let extract = download.extract.as_ref().is_some_and(|e| e.value);
        let mut dst = join(&state.workdir, &dst);
        if extract && !dst.ends_with('/') {
            dst.push('/'); // an archive unpacks into a directory
        }
        let filename = if dst.ends_with('/') {
            sources::url_filename(&url)
        } else {
            dst.rsplit('/').next().unwrap_or_default().to_string()
        };
        let mode = download.mode.as_ref().and_then(|m| parse_mode(&m.value));
        let (op, caps) = sources::http_op(
            &url,
            sha.as_ref().map(|s| s.value.as_str()),
            &filename,
            mode,
        );
        let digest = self.add_op(&op, format!("[internal] download {url}"), &caps, span);
        let mut source = Output { digest, index: 0 };
        // BuildKit unpacks tar archives (plain, gzip, bzip2, xz) as Docker's ADD does; a zip
        // is unpacked by kiln's own tool, and its files are copied.
        let zip = extract && filename.to_ascii_lowercase().ends_with(".zip");
        let src = if zip {
            let Some(unpacked) = self.unzip(&source, &filename, span) else {
                return;
            };
            source = unpacked;
            "/".to_string()
        } else {
            format!("/{filename}")
        };
        let mut inputs = Inputs::default();
        let dest_input = inputs.index(state.fs.as_ref());
        let source_input = inputs.index(Some(&source));
        let owner = download.chown.as_ref().map(|c| chown(&c.value, dest_input));
        let action = pb::FileAction {
            input: dest_input,
            secondary_input: source_input,
            output: 0,
            action: Some(pb::file_action::Action::Copy(pb::FileActionCopy {
                src,
                dest: dst.clone(),
                owner,
                mode: -1,
                follow_symlink: true,
                dir_copy_contents: zip,
                create_dest_path: true,
                attempt_unpack_docker_compatibility: extract && !zip,
                timestamp: -1,
                ..Default::default()
            })),
        };
        let name = counter.name(&format!("download: {url} -> {dst}"));
        self.apply_file_action(
            state,
            inputs,
            action,
            (name, format!("DOWNLOAD {url} {dst}")),
            &["file.base"],
            span,
        );
    }

    /// Unpack a zip archive (`/<filename>` of `archive`) with the kiln tool: the frontend
    /// image run on the build platform, without network. The files are at the output's root.
    fn unzip(&mut self, archive: &Output, filename: &str, span: Span) -> Option<Output> {
        let Some(tool) = self.opts.tool_image.clone() else {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::UnsupportedFeature,
                    "unpacking a zip archive needs the kiln frontend image, which is not known here",
                )
                .with_label(span, "a zip download with `extract: true`")
                .with_help("build through the frontend (`docker build`), or pass `kiln llb --tool-image IMAGE`"),
            );
            return None;
        };
        let platform = crate::platform::to_pb(&self.opts.build_platform);
        let tool = sources::normalize_image(&tool).unwrap_or(tool);
        let (op, caps) = sources::image_op(&tool, &platform, None);
        let digest = self.add_op(&op, format!("[internal] kiln tools {tool}"), &caps, span);
        let tool_fs = Output { digest, index: 0 };
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
            inputs: Inputs(vec![tool_fs, archive.clone()]).into_pb(),
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
        let caps = ["exec.meta.base", "exec.mount.bind", "exec.meta.network"];
        let digest = self.add_op(&op, format!("[internal] unzip {filename}"), &caps, span);
        Some(Output { digest, index: 1 })
    }

    /// The value of a per-platform map for this platform (by platform, then architecture).
    fn for_platform(
        &mut self,
        value: &PerPlatform,
        platform: &str,
        span: Span,
        what: &str,
    ) -> Option<Sp<String>> {
        match value {
            PerPlatform::All(v) => Some(v.clone()),
            PerPlatform::ByPlatform(map) => {
                let arch = crate::platform::to_pb(platform).architecture;
                let found = map.get(platform).or_else(|| map.get(arch.as_str()));
                if found.is_none() {
                    let keys: Vec<&str> = map.keys().map(|k| k.value.as_str()).collect();
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::MissingKey,
                            format!("no download {what} for platform `{platform}`"),
                        )
                        .with_label(span, format!("has {what}s for: {}", keys.join(", ")))
                        .with_help(format!(
                            "add `{arch}:` to the `{what}` map, or build another platform"
                        )),
                    );
                }
                found.cloned()
            }
        }
    }

    fn mkdir(
        &mut self,
        state: &mut StageState,
        mkdir: &Mkdir,
        span: Span,
        counter: &mut StepCounter,
    ) {
        let env = &state.env;
        let Some(path) = self.expand(&mkdir.path, env) else {
            return;
        };
        let path = join(&state.workdir, &path);
        let mode = mkdir
            .mode
            .as_ref()
            .and_then(|m| parse_mode(&m.value))
            .unwrap_or(0o755);
        let mut inputs = Inputs::default();
        let input = inputs.index(state.fs.as_ref());
        let owner = match &mkdir.chown {
            Some(c) => self.expand(c, env).map(|c| chown(&c, input)),
            None => None,
        };
        let action = pb::FileAction {
            input,
            secondary_input: -1,
            output: 0,
            action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                path: path.clone(),
                mode: mode as i32,
                make_parents: true,
                owner,
                timestamp: -1,
            })),
        };
        let name = counter.name(&format!("mkdir: {path}"));
        self.apply_file_action(
            state,
            inputs,
            action,
            (name, format!("MKDIR {path}")),
            &["file.base"],
            span,
        );
    }

    fn symlink(
        &mut self,
        state: &mut StageState,
        symlink: &Symlink,
        span: Span,
        counter: &mut StepCounter,
    ) {
        let env = &state.env;
        let (Some(target), Some(path)) = (
            self.expand(&symlink.target, env),
            self.expand(&symlink.path, env),
        ) else {
            return;
        };
        let path = join(&state.workdir, &path);
        let mut inputs = Inputs::default();
        let input = inputs.index(state.fs.as_ref());
        let action = pb::FileAction {
            input,
            secondary_input: -1,
            output: 0,
            action: Some(pb::file_action::Action::Symlink(pb::FileActionSymlink {
                oldpath: target.clone(),
                newpath: path.clone(),
                owner: None,
                timestamp: -1,
            })),
        };
        let name = counter.name(&format!("symlink: {path} -> {target}"));
        let caps = ["file.base", "file.symlink.create"];
        let history = format!("SYMLINK {path} -> {target}");
        self.apply_file_action(state, inputs, action, (name, history), &caps, span);
    }

    pub(crate) fn apply_image_config(&mut self, state: &mut StageState, image: &ImageConfig) {
        let env = state.env.clone();
        let command = |this: &mut Self, c: &Sp<Command>| -> Option<Vec<String>> {
            match &c.value {
                Command::Shell(s) => {
                    Some(vec!["/bin/sh".into(), "-c".into(), this.expand(s, &env)?])
                }
                Command::Argv(argv) => argv.iter().map(|a| this.expand(a, &env)).collect(),
            }
        };
        let entrypoint = image.entrypoint.as_ref().map(|c| command(self, c));
        let cmd = image.cmd.as_ref().map(|c| command(self, c));
        if let Some(Some(entrypoint)) = entrypoint {
            state.record(format!("ENTRYPOINT {entrypoint:?}"), true);
            state.image.config.entrypoint = Some(entrypoint);
            // Docker: setting ENTRYPOINT clears an inherited CMD.
            if cmd.is_none() {
                state.image.config.cmd = None;
            }
        }
        if let Some(Some(cmd)) = cmd {
            state.record(format!("CMD {cmd:?}"), true);
            state.image.config.cmd = Some(cmd);
        }
        for (key, value) in &image.env {
            if let Some(v) = self.expand(value, &env) {
                set_env(&mut state.env, &key.value, &v);
            }
        }
        let expand_opt =
            |this: &mut Self, v: &Option<Sp<String>>| v.as_ref().and_then(|v| this.expand(v, &env));
        if let Some(user) = expand_opt(self, &image.user) {
            state.image.config.user = Some(user);
        }
        if let Some(workdir) = expand_opt(self, &image.workdir) {
            state.image.config.working_dir = Some(workdir);
        }
        if let Some(signal) = expand_opt(self, &image.stopsignal) {
            state.image.config.stop_signal = Some(signal);
        }
        for port in &image.expose {
            if let Some(p) = self.expand(port, &env) {
                let p = if p.contains('/') {
                    p
                } else {
                    format!("{p}/tcp")
                };
                state
                    .image
                    .config
                    .exposed_ports
                    .get_or_insert_with(BTreeMap::new)
                    .insert(p, serde_json::json!({}));
            }
        }
        for volume in &image.volumes {
            if let Some(v) = self.expand(volume, &env) {
                state
                    .image
                    .config
                    .volumes
                    .get_or_insert_with(BTreeMap::new)
                    .insert(v, serde_json::json!({}));
            }
        }
        for (key, value) in &image.labels {
            if let Some(v) = self.expand(value, &env) {
                state
                    .image
                    .config
                    .labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert(key.value.clone(), v);
            }
        }
        if let Some(check) = &image.healthcheck {
            let healthcheck = self.healthcheck(check, &env);
            state.image.config.healthcheck = Some(healthcheck);
        }
    }

    fn healthcheck(&mut self, check: &Healthcheck, env: &[(String, String)]) -> serde_json::Value {
        if check.disable.as_ref().is_some_and(|d| d.value) {
            return serde_json::json!({ "Test": ["NONE"] });
        }
        let test: Vec<String> = match check.test.as_ref().map(|t| &t.value) {
            Some(Command::Shell(s)) => {
                vec!["CMD-SHELL".into(), self.expand(s, env).unwrap_or_default()]
            }
            Some(Command::Argv(argv)) => std::iter::once("CMD".to_string())
                .chain(argv.iter().map(|a| self.expand(a, env).unwrap_or_default()))
                .collect(),
            None => vec!["NONE".into()],
        };
        let nanos = |d: &Option<Sp<String>>| d.as_ref().and_then(|d| duration_nanos(&d.value));
        let mut out = serde_json::json!({ "Test": test });
        for (key, value) in [
            ("Interval", nanos(&check.interval)),
            ("Timeout", nanos(&check.timeout)),
            ("StartPeriod", nanos(&check.start_period)),
        ] {
            if let Some(v) = value {
                out[key] = v.into();
            }
        }
        if let Some(retries) = &check.retries {
            out["Retries"] = retries.value.into();
        }
        out
    }
}

/// Go durations (`1m30s`) in nanoseconds, as Docker stores healthcheck times.
fn duration_nanos(text: &str) -> Option<u64> {
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, scale) = [
            ("ns", 1.0),
            ("us", 1e3),
            ("µs", 1e3),
            ("ms", 1e6),
            ("s", 1e9),
            ("m", 60e9),
            ("h", 3600e9),
        ]
        .into_iter()
        .find(|(u, _)| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total += number * scale;
    }
    Some(total as u64)
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
