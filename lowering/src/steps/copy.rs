//! `copy` steps: file ops that copy from a source state, merged when linked.

use super::*;

impl Lowerer<'_> {
    pub(super) fn copy(
        &mut self,
        state: &mut StageState,
        copy: &Copy,
        span: Span,
        counter: &mut StepCounter,
    ) {
        let env = &state.env;
        let source = match &copy.git {
            Some(git) => self.git_source(git, env, span),
            None => self.source_state(state, copy.from.as_ref(), copy.context.as_ref(), span),
        };
        let Some(source) = source else {
            return;
        };
        let Some(sources) = self.copy_sources(copy, env) else {
            return;
        };
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
        let Ok(mode) = self.mode(copy.chmod.as_ref(), env) else {
            return;
        };
        let mode = mode.map_or(-1, |m| m as i32);
        // Without MergeOp (BuildKit before v0.10, or Docker's classic overlay2 image store,
        // whose worker cannot merge) a linked copy is a plain copy, as the Dockerfile
        // frontend falls back: the same files, only less cache reuse.
        let linked = copy.link.as_ref().is_some_and(|l| l.value) && self.opts.caps.has("mergeop");
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
        let count = inputs.len() as i64;
        let actions: Vec<pb::FileAction> = sources
            .iter()
            .enumerate()
            .map(|(i, src)| {
                CopyAction {
                    // Each source copies onto the previous one's result (inputs after the op's).
                    input: if i == 0 {
                        dest_input
                    } else {
                        count + i as i64 - 1
                    },
                    source: source_input,
                    output: if i + 1 == sources.len() { 0 } else { -1 },
                    src: absolute(src),
                    dest: &dest,
                    owner: owner.clone(),
                    mode,
                    contents: true,
                    wildcard: true,
                    unpack: false,
                    exclude: &exclude,
                }
                .into_pb()
            })
            .collect();
        let name = counter.name(&format!("copy: {} -> {dest}", sources.join(" ")));
        let copied = self.add_op(file_op(inputs, actions, caps), name, span);
        state.fs = if linked {
            Some(self.merge(state.fs.clone(), copied, span))
        } else {
            Some(copied)
        };
        state.record(format!("COPY {} {dest}", sources.join(" ")), false);
    }

    /// The paths a copy reads, expanded (inside the `subdir` of a git source).
    fn copy_sources(&mut self, copy: &Copy, env: &[(String, String)]) -> Option<Vec<String>> {
        let sources: Option<Vec<String>> =
            copy.src.value.iter().map(|s| self.expand(s, env)).collect();
        let mut sources = sources?;
        if let Some(subdir) = copy.git.as_ref().and_then(|g| g.subdir.as_ref()) {
            let subdir = self.expand(subdir, env)?;
            let subdir = subdir.trim_matches('/');
            for src in &mut sources {
                let inside = src.trim_start_matches('/').trim_start_matches("./");
                *src = format!("/{subdir}/{inside}");
            }
        }
        Some(sources)
    }

    pub(super) fn merge(&mut self, lower: Option<Output>, upper: Output, span: Span) -> Output {
        let Some(lower) = lower else { return upper };
        self.add_op(
            file::merge_op(lower, upper),
            "merge linked copy".into(),
            span,
        )
    }
}

/// A source path from the root of its state.
fn absolute(src: &str) -> String {
    if src.starts_with('/') {
        src.to_string()
    } else {
        format!("/{}", src.trim_start_matches("./"))
    }
}
