//! Stages: each lowered once, from its base (scratch, another stage or an image) through
//! its env, workdir, user, steps and image settings.

use crate::context::{HistoryChain, Lowerer, StageState, StepCounter, set_env};
use crate::image::ImageConfig;
use crate::ops::Output;
use crate::options::{BaseImage, LowerOptions};
use crate::packages::{Action, group_installs};
use crate::platform;
use kiln_dsl::catalogue;
use kiln_dsl::model::Stage;

/// The `PATH` a Dockerfile gives a stage `FROM scratch` (BuildKit's `DefaultPathEnv`).
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The config of an empty image for `platform`: what the Dockerfile frontend gives `FROM
/// scratch` (dockerfile2llb's `emptyImage`): WorkingDir `/` and, except on Windows, the
/// default `PATH`.
fn empty_image(platform: &str) -> ImageConfig {
    let mut image = ImageConfig::default();
    set_platform(&mut image, platform);
    image.config.working_dir = Some("/".into());
    image
}

/// The environment of a stage `FROM scratch`, as `empty_image` stores it.
fn scratch_env(image: &ImageConfig) -> Vec<(String, String)> {
    if image.os == "windows" {
        return Vec::new();
    }
    vec![("PATH".to_string(), DEFAULT_PATH.to_string())]
}

fn set_platform(image: &mut ImageConfig, platform: &str) {
    let p = platform::to_pb(platform);
    image.architecture = p.architecture;
    image.os = p.os;
    image.variant = (!p.variant.is_empty()).then_some(p.variant);
}

impl Lowerer<'_> {
    /// The state after a stage's steps (lowered once, then reused).
    pub fn stage(&mut self, name: &str) -> Option<StageState> {
        if let Some(done) = self.stages.get(name) {
            return Some(done.clone());
        }
        self.lower_stage_once(name).cloned()
    }

    /// Only the filesystem of a stage (what a copy or bind mount reads), without copying its
    /// whole state.
    pub fn stage_fs(&mut self, name: &str) -> Option<Option<Output>> {
        if let Some(done) = self.stages.get(name) {
            return Some(done.fs.clone());
        }
        self.lower_stage_once(name).map(|s| s.fs.clone())
    }

    /// Lower a stage and keep its state; the caller copies what it needs of it (a chain of
    /// copies needs only each stage's filesystem, not a second copy of its whole state).
    fn lower_stage_once(&mut self, name: &str) -> Option<&StageState> {
        let (key, stage) = self.model.stages.get_key_value(name)?;
        if self.in_progress.iter().any(|n| n == name) {
            self.diagnostics
                .push(catalogue::stage_depends_on_itself(name, key.span));
            return None;
        }
        self.in_progress.push(name.to_string());
        let state = self.lower_stage(name, stage);
        self.in_progress.pop();
        self.stages.insert(name.to_string(), state?);
        self.stages.get(name)
    }

    fn lower_stage(&mut self, name: &str, stage: &Stage) -> Option<StageState> {
        let platform = match &stage.platform {
            Some(p) => self.expand(p, &[])?,
            None => self.target_platform.clone(),
        };
        let mut state = self.base(name, stage, &platform)?;
        let actions = group_installs(stage);
        let mut counter =
            StepCounter::new(name, actions.len() + usize::from(stage.workdir.is_some()));
        for (key, value) in &stage.env {
            if let Some(v) = self.expand(value, &state.env) {
                set_env(&mut state.env, &key.value, &v);
                state.record(format!("ENV {}={v}", key.value), true);
            }
        }
        if let Some(workdir) = &stage.workdir {
            let dir = self.expand(workdir, &state.env)?;
            self.workdir(&mut state, &dir, workdir.span, &mut counter);
        }
        if let Some(user) = &stage.user {
            let user = self.expand(user, &state.env)?;
            state.user = user.clone();
            state.image.config.user = Some(user.clone());
            state.record(format!("USER {user}"), true);
        }
        state.packages_updated = false;
        for action in actions {
            match action {
                Action::Install(packages) => self.packages(&mut state, &packages, &mut counter),
                Action::Step(step) => self.step(&mut state, step, &mut counter),
            }
        }
        if let Some(config) = &stage.image {
            self.apply_image_config(&mut state, config);
        }
        state.history.freeze();
        Some(state)
    }

    /// The state a stage starts from: scratch, another stage, or an image.
    fn base(&mut self, name: &str, stage: &Stage, platform: &str) -> Option<StageState> {
        let from = self.expand(&stage.from, &[])?;
        if from == "scratch" {
            let image = empty_image(platform);
            let env = scratch_env(&image);
            return Some(StageState {
                fs: None,
                image,
                history: HistoryChain::default(),
                base_image: None,
                packages_updated: false,
                env,
                workdir: "/".into(),
                user: String::new(),
                platform: platform.into(),
            });
        }
        if self.model.stages.contains_key(from.as_str()) {
            let mut state = self.stage(&from)?;
            state.platform = platform.to_string();
            return Some(state);
        }
        // The wording of `kiln check`, which finds the same problem before `${...}` expands.
        let model = self.model;
        let normalized = self.normalize_image(&from, |problem| {
            let stages: Vec<&str> = model.stages.keys().map(|k| k.value.as_str()).collect();
            catalogue::not_stage_or_image(&from, stage.from.span, problem, &stages)
        })?;
        // What a resolver looks up is the reference as written (normalized); the stage loads
        // it pinned to the digest its config came from, when the resolver gave one.
        let base = BaseImage {
            reference: normalized.clone(),
            op: self.image_op(&normalized, platform).op,
        };
        let op = self.image_op(&pinned(&normalized, self.opts), platform);
        let fs = self.add_op(op, format!("[{name}] from {normalized}"), stage.from.span);
        if !self.base_images.contains(&base) {
            self.base_images.push(base);
        }
        Some(self.image_state(fs, normalized, platform))
    }

    /// The state of a stage that starts from an image (loaded as `fs`): the image's config
    /// (when the builder resolved it) for this platform, without its layers.
    fn image_state(&mut self, fs: Output, normalized: String, platform: &str) -> StageState {
        let mut image = self
            .opts
            .base_configs
            .get(&normalized)
            .and_then(|bytes| ImageConfig::from_base(bytes))
            .unwrap_or_default();
        image.rootfs.diff_ids.clear();
        set_platform(&mut image, platform);
        let workdir = image
            .config
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into());
        let user = image.config.user.clone().unwrap_or_default();
        let env = image.env_pairs();
        let history = HistoryChain::starting_with(std::mem::take(&mut image.history));
        StageState {
            fs: Some(fs),
            image,
            history,
            base_image: Some(normalized),
            packages_updated: false,
            env,
            workdir,
            user,
            platform: platform.into(),
        }
    }
}

/// `reference@digest` when the resolver gave the digest of an image not pinned already.
fn pinned(reference: &str, opts: &LowerOptions) -> String {
    match opts.base_digests.get(reference) {
        Some(digest) if !reference.contains('@') => format!("{reference}@{digest}"),
        _ => reference.to_string(),
    }
}

impl Lowerer<'_> {
    /// Lower the stages `stage` needs before it, dependencies first, so that lowering any
    /// stage finds the stages it uses done: the recursion through `stage()` stays shallow
    /// however long a chain of `from:` or copies is (one level per stage overflowed the
    /// stack at about 1,000 stages in the frontend).
    pub fn lower_dependencies_first(&mut self, stage: &str) {
        for name in self.dependency_order(stage) {
            if name != stage {
                self.stage_fs(&name);
            }
        }
    }

    /// The stages `start` needs, each after the stages it uses (a post-order walk without
    /// recursion; a stage on a cycle is left to lowering, which reports it).
    fn dependency_order(&mut self, start: &str) -> Vec<String> {
        // Names are expanded as lowering expands them; what cannot be expanded is reported
        // by lowering itself, so not here a first time.
        let reported = self.diagnostics.len();
        let mut order = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<(String, Vec<String>)> = Vec::new();
        seen.insert(start.to_string());
        stack.push((start.to_string(), self.used_stages(start)));
        while let Some((_, pending)) = stack.last_mut() {
            match pending.pop() {
                Some(next) if seen.insert(next.clone()) => {
                    let uses = self.used_stages(&next);
                    stack.push((next, uses));
                }
                Some(_) => {}
                None => {
                    let (done, _) = stack.pop().expect("a stage on the stack");
                    order.push(done);
                }
            }
        }
        self.diagnostics.truncate(reported);
        order
    }

    /// The stages `name` uses, in reverse file order (popped from the back, they come in
    /// file order).
    fn used_stages(&mut self, name: &str) -> Vec<String> {
        let Some(stage) = self.model.stages.get(name) else {
            return Vec::new();
        };
        let model = self.model;
        let mut used: Vec<String> = kiln_dsl::walk::uses(stage)
            .into_iter()
            .filter_map(|u| self.expand(u.place, &[]))
            .filter(|n| model.stages.contains_key(n.as_str()))
            .collect();
        used.reverse();
        used
    }
}
