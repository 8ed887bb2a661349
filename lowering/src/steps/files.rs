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
        let action = file::mkdir_action(input, dir, 0o755, owner);
        self.apply_file_action(
            state,
            inputs,
            action,
            (name, format!("WORKDIR {dir}")),
            vec!["file.base"],
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
        caps: Vec<&'static str>,
        span: Span,
    ) {
        let op = file_op(inputs, vec![action], caps);
        state.fs = Some(self.add_op(op, name, span));
        state.record(history, false);
    }

    pub(super) fn invalid_path(&mut self, span: Span, path: &str, why: &str) {
        self.diagnostics
            .push(catalogue::invalid_path(path, why, span));
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
        let Ok(mode) = self.mode(mkdir.mode.as_ref(), env) else {
            return;
        };
        let mode = mode.unwrap_or(0o755);
        let mut inputs = Inputs::default();
        let input = inputs.index(state.fs.as_ref());
        let owner = match &mkdir.chown {
            Some(c) => self.expand(c, env).map(|c| chown(&c, input)),
            None => None,
        };
        let action = file::mkdir_action(input, &path, mode, owner);
        let name = counter.name(&format!("mkdir: {path}"));
        self.apply_file_action(
            state,
            inputs,
            action,
            (name, format!("MKDIR {path}")),
            vec!["file.base"],
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
        let action = file::symlink_action(input, &target, &path);
        let name = counter.name(&format!("symlink: {path} -> {target}"));
        let caps = vec!["file.base", "file.symlink.create"];
        let history = format!("SYMLINK {path} -> {target}");
        self.apply_file_action(state, inputs, action, (name, history), caps, span);
    }
}
