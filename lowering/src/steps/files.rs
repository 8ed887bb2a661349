//! File ops of the steps that make paths: `workdir`, `mkdir`, `symlink`.

use super::*;

impl Lowerer<'_> {
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
    pub(super) fn apply_file_action(
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

    pub(super) fn invalid_path(&mut self, span: Span, path: &str, why: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::InvalidPath, format!("invalid path `{path}`: {why}"))
                .with_label(span, "expands to an invalid path")
                .with_help("check the args this path uses"),
        );
    }

    pub(super) fn mkdir(
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

    pub(super) fn symlink(
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
}
