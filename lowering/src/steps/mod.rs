//! Lowering of each step kind into exec and file ops, and of a stage's image config: the
//! dispatch and the helpers every step family shares; one file per family.

mod config;
mod copy;
mod download;
mod files;
mod inputs;
mod run;

use crate::context::{Lowerer, StageState, StepCounter, set_env};
use crate::ops::exec::{self, ExecSpec, MountSpec, env_strings};
use crate::ops::file::{self, CopyAction, chown, file_op};
use crate::ops::{Inputs, Output, source};
use kiln_dsl::model::*;
use kiln_dsl::{Sp, Span, catalogue};
use kiln_proto::pb;
use std::collections::BTreeMap;

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

impl Lowerer<'_> {
    /// A `mode`/`chmod` value, expanded then parsed as octal: `Err` (reported at the value)
    /// when it is not a mode once its `${...}` are replaced, `Ok(None)` when absent.
    fn mode(
        &mut self,
        mode: Option<&Sp<String>>,
        env: &[(String, String)],
    ) -> Result<Option<u32>, ()> {
        let Some(mode) = mode else { return Ok(None) };
        let text = self.expand(mode, env).ok_or(())?;
        match parse_mode(&text) {
            Some(m) => Ok(Some(m)),
            None => {
                self.diagnostics
                    .push(catalogue::invalid_mode(&text, mode.span));
                Err(())
            }
        }
    }

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
