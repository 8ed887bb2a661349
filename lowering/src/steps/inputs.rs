//! Where a step reads from: another stage, an image, the main or a named build context, a git repository.

use super::*;

impl Lowerer<'_> {
    /// The files a copy or bind mount reads: a stage, an image, a named context, or (neither
    /// given) the main build context.
    pub(super) fn source_state(
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
                self.diagnostics
                    .push(catalogue::empty_source(&name, from.span));
                return None;
            }
            return Some(fs);
        }
        // Worded as `kiln check` words it, which sees the same problem before `${...}` is
        // expanded.
        let model = self.model;
        let normalized = self.normalize_image(&name, |problem| {
            let stages: Vec<&str> = model.stages.keys().map(|k| k.value.as_str()).collect();
            catalogue::not_stage_or_image(&name, from.span, problem, &stages)
        })?;
        let name = format!("[internal] image {normalized}");
        Some(Some(self.add_image(
            &normalized,
            &state.platform,
            name,
            from.span,
        )))
    }

    /// A git repository checked out by BuildKit: at the pinned commit, else the ref.
    pub(super) fn git_source(
        &mut self,
        git: &GitSource,
        env: &[(String, String)],
        span: Span,
    ) -> Option<Option<Output>> {
        let url = self.expand(&git.url, env)?;
        let reference = match (&git.commit, &git.reference) {
            (Some(commit), _) => {
                let hash = self.expand(commit, env)?;
                if !kiln_dsl::check::is_full_commit(&hash) {
                    // `kiln check` saw `${...}`; the value it became is checked here.
                    self.diagnostics
                        .push(catalogue::not_full_commit(&hash, commit.span));
                    return None;
                }
                Some(hash)
            }
            (None, Some(r)) => Some(self.expand(r, env)?),
            (None, None) => None,
        };
        let keep = git.keep_git_dir.as_ref().is_some_and(|k| k.value);
        let op = source::git_op(&url, reference.as_deref(), keep);
        let name = format!(
            "[internal] git {url}{}",
            reference.map(|r| format!(" {r}")).unwrap_or_default()
        );
        Some(Some(self.add_op(op, name, span)))
    }

    /// The main build context: the client's `context` directory, or a tar the client sent
    /// in the request body (served by the daemon over HTTP), unpacked.
    pub(super) fn main_context(&mut self, span: Span) -> Output {
        // Built once: later uses only add their location to its ops, as adding them again
        // would (most copies read the context).
        if self.main_context.is_empty() {
            self.main_context = self.build_main_context(span);
        } else {
            let range = self.range(span);
            for op in &self.main_context {
                self.dag.locate(&op.digest, range);
            }
        }
        self.main_context
            .last()
            .expect("the context has ops")
            .clone()
    }

    /// The ops that load the main context, the one whose output it is last.
    fn build_main_context(&mut self, span: Span) -> Vec<Output> {
        if let Some(url) = self.opts.context_tar_url.clone() {
            let op = source::http_op(&url, None, "context", None);
            let tar = self.add_context_op(op, "[internal] load build context".into(), span);
            let mut inputs = Inputs::default();
            let unpack = file::unpack_context(inputs.index(Some(&tar)));
            let op = file_op(inputs, vec![unpack], vec!["file.base"]);
            let unpacked = self.add_context_op(op, "[internal] unpack build context".into(), span);
            return vec![tar, unpacked];
        }
        let session = self.opts.session_id.as_deref();
        let op = source::local_op("context", session, &self.opts.dockerignore);
        vec![self.add_context_op(op, "[internal] load build context".into(), span)]
    }

    /// A named build context: what the client mapped the name to (`--build-context
    /// NAME=DIR|docker-image://REF`), or by default the client's local directory NAME.
    pub(super) fn named_context(
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
            let normalized = self.normalize_image(image, |problem| {
                catalogue::invalid_context_image(name, image, span, problem)
            })?;
            let vertex = format!("[context {name}] {normalized}");
            return Some(Some(self.add_image(
                &normalized,
                &state.platform,
                vertex,
                span,
            )));
        }
        let local = match mapped.as_deref() {
            Some(m) => match m.strip_prefix("local:") {
                Some(local) => local.to_string(),
                None => {
                    self.diagnostics
                        .push(catalogue::unsupported_context(name, m, span));
                    return None;
                }
            },
            None => name.to_string(),
        };
        // A named directory's own `.dockerignore` applies to it, as for the main context.
        let ignores = self.opts.context_ignores.get(&local).cloned();
        let ignores = ignores.unwrap_or_default();
        let op = source::local_op(&local, self.opts.session_id.as_deref(), &ignores);
        Some(Some(self.add_op(
            op,
            format!("[context {name}] load"),
            span,
        )))
    }
}
