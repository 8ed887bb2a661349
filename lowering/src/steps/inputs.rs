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
    pub(super) fn git_source(
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
    pub(super) fn main_context(&mut self, span: Span) -> Output {
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
}
