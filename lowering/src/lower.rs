//! The driver: pick the target, lower the stages it needs (each once), and assemble the
//! Definition and image config.

use crate::caps::{CapSet, introduced_in};
use crate::dag::{Dag, OpInfo, Output};
use crate::image::{History, ImageConfig};
use crate::plan::{ArgValue, GivenArgs, arg_value, select_target};
use crate::platform;
use crate::sources;
use kiln_dsl::model::{BuildFile, Stage, Target};
use kiln_dsl::{Code, Diagnostic, SourceFile, Sp, Span, interpolate};
use kiln_proto::pb;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// Stay well below the 4 MiB gRPC message limit of BuildKit before v0.14.
const MAX_SOLVE_REQUEST_BYTES: usize = 3 << 20;

/// What the builder knows, and what the user asked for.
#[derive(Clone, Debug)]
pub struct LowerOptions {
    /// Target, stage or (later) group to build; default: see `select_target`.
    pub target: Option<String>,
    /// Platform to build for; default: the target's first platform, else `build_platform`.
    pub platform: Option<String>,
    /// The platform of the builder (`BUILDPLATFORM`).
    pub build_platform: String,
    /// `--build-arg NAME=VALUE`: the caller's explicit values, above everything else.
    pub build_args: BTreeMap<String, String>,
    /// Values for the file's args (`--var NAME=VALUE`): they replace the file's defaults,
    /// and a target's own `args` still win over them, as a variable override in bake
    /// changes a variable, not what a target sets (docs/format.md, "Which value an arg has").
    pub arg_values: BTreeMap<String, String>,
    /// `--label KEY=VALUE`, added to the image.
    pub labels: BTreeMap<String, String>,
    /// The builder's LLB caps.
    pub caps: CapSet,
    /// Configs of base images, keyed by normalized reference (`docker.io/library/alpine:3`).
    pub base_configs: BTreeMap<String, Vec<u8>>,
    /// The digests base images resolved to (normalized reference → `sha256:...`): a stage
    /// loads `reference@digest`, the image its config came from, as the Dockerfile frontend
    /// pins it (and BuildKit need not resolve the tag again while solving).
    pub base_digests: BTreeMap<String, String>,
    /// The client session that serves local directories (`BUILDKIT_SESSION_ID`).
    pub session_id: Option<String>,
    /// `.dockerignore` patterns of the main build context.
    pub dockerignore: Vec<String>,
    /// The main context is a tar the client sent in the request body, at this URL (the
    /// `context=http://build-context-...` option of Engine API builds).
    pub context_tar_url: Option<String>,
    /// Package managers found in base images (normalized reference → manager, `None` when
    /// the image has none), probed by the frontend. Images not listed were not probed.
    pub package_managers: BTreeMap<String, Option<kiln_dsl::model::PackageManager>>,
    /// Named contexts from the client (`context:NAME` options): `local:DIR` or
    /// `docker-image://REF`.
    pub named_contexts: BTreeMap<String, String>,
    /// `image-resolve-mode` (`default`, `pull`, `local`).
    pub image_resolve_mode: Option<String>,
    /// Ignore the cache for every op.
    pub no_cache: bool,
    /// Attach the build file to the Definition so BuildKit errors can show it (skipped when
    /// the SolveRequest would come near 4 MiB, the limit of BuildKit before v0.14).
    pub attach_source: bool,
    /// The kiln frontend image, which also unpacks zip downloads (the frontend's own
    /// `source`); without it a zip download with `extract: true` is an error.
    pub tool_image: Option<String>,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions {
            target: None,
            platform: None,
            build_platform: "linux/amd64".into(),
            tool_image: None,
            build_args: BTreeMap::new(),
            arg_values: BTreeMap::new(),
            labels: BTreeMap::new(),
            caps: CapSet::All,
            base_configs: BTreeMap::new(),
            base_digests: BTreeMap::new(),
            session_id: None,
            dockerignore: Vec::new(),
            named_contexts: BTreeMap::new(),
            package_managers: BTreeMap::new(),
            context_tar_url: None,
            image_resolve_mode: None,
            no_cache: false,
            attach_source: true,
        }
    }
}

/// One target lowered for one platform.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub target: String,
    pub stage: String,
    pub platform: String,
    pub definition: pb::Definition,
    pub image: ImageConfig,
    /// The images stages start from (`from:`), each once: what a frontend resolves for
    /// their configs, and probes for a package manager, before lowering for real.
    pub base_images: Vec<BaseImage>,
}

/// An image a stage starts from, with the source op that loads it (to probe its files).
#[derive(Clone, Debug, PartialEq)]
pub struct BaseImage {
    /// Normalized reference (`docker.io/library/alpine:3`).
    pub reference: String,
    pub op: pb::Op,
}

/// The filesystem and config of a stage after its steps.
#[derive(Clone, Debug)]
pub(crate) struct StageState {
    pub fs: Option<Output>,
    /// The image config, without `history` (kept in `history` below until the end).
    pub image: ImageConfig,
    /// The image history: a chain shared with the stages this one builds from, so building
    /// from a stage does not copy its history.
    pub history: HistoryChain,
    /// Whether this stage already refreshed the package lists (one update per stage).
    pub packages_updated: bool,
    /// The image the stage's chain starts from (normalized), if any.
    pub base_image: Option<String>,
    /// The environment so far, in order; written into `image` when the stage ends.
    pub env: Vec<(String, String)>,
    pub workdir: String,
    pub user: String,
    pub platform: String,
}

pub(crate) struct Lowerer<'a> {
    pub model: &'a BuildFile,
    pub file: &'a SourceFile,
    pub opts: &'a LowerOptions,
    pub dag: Dag,
    /// Resolved args: build args, then the target's args, then defaults.
    pub args: BTreeMap<String, Option<String>>,
    pub target_platform: String,
    /// `TARGETPLATFORM`, `BUILDARCH`, ... for this build.
    platform_args: Vec<(String, String)>,
    stages: HashMap<String, StageState>,
    in_progress: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every cap an op needs, with the span of what needed it.
    pub cap_uses: Vec<(&'static str, Span)>,
    base_images: Vec<BaseImage>,
}

/// Lower one target. Diagnostics point at the step that caused them.
pub fn lower(
    model: &BuildFile,
    file: &SourceFile,
    opts: &LowerOptions,
) -> Result<Lowered, Vec<Diagnostic>> {
    let Started {
        mut lowerer,
        target_name,
        target,
        stage_name,
    } = start(model, file, opts)?;
    let target_platform = lowerer.target_platform.clone();
    let stage = lowerer.stage(&stage_name);
    let mut image = stage.as_ref().map(|s| s.image.clone()).unwrap_or_default();
    image.history = stage
        .as_ref()
        .map(|s| s.history.to_vec())
        .unwrap_or_default();
    if let Some(target) = target {
        lowerer.apply_labels(&mut image, &target.labels);
    }
    for (key, value) in &opts.labels {
        image
            .config
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(key.clone(), value.clone());
    }
    lowerer.check_caps();
    if lowerer.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(lowerer.diagnostics);
    }
    let head = stage.as_ref().and_then(|s| s.fs.clone());
    // The file goes along so BuildKit can show it in errors, unless that would bring the
    // SolveRequest near BuildKit v0.8's 4 MiB limit.
    let source = opts.attach_source.then(|| pb::SourceInfo {
        filename: file.name.clone(),
        data: file.text.as_bytes().to_vec(),
        language: "YAML".into(),
        ..Default::default()
    });
    let definition = lowerer
        .dag
        .into_definition(head.as_ref(), source, MAX_SOLVE_REQUEST_BYTES);
    Ok(Lowered {
        target: target_name,
        stage: stage_name,
        platform: target_platform,
        definition,
        image,
        base_images: lowerer.base_images,
    })
}

/// `reference@digest` when the resolver gave the digest of an image not pinned already.
fn pinned(reference: &str, opts: &LowerOptions) -> String {
    match opts.base_digests.get(reference) {
        Some(digest) if !reference.contains('@') => format!("{reference}@{digest}"),
        _ => reference.to_string(),
    }
}

/// A lowering of the selected target, its platform chosen and its args resolved, before
/// any stage is lowered.
pub(crate) struct Started<'a> {
    pub lowerer: Lowerer<'a>,
    pub target_name: String,
    pub target: Option<&'a Target>,
    pub stage_name: String,
}

pub(crate) fn start<'a>(
    model: &'a BuildFile,
    file: &'a SourceFile,
    opts: &'a LowerOptions,
) -> Result<Started<'a>, Vec<Diagnostic>> {
    let (target_name, target, stage_name) = select_target(model, opts.target.as_deref())
        .map_err(|message| vec![Diagnostic::error(Code::UnknownTarget, message)])?;
    let target_platform = choose_platform(target, opts)?;
    let mut lowerer = Lowerer {
        model,
        file,
        opts,
        dag: Dag::default(),
        args: BTreeMap::new(),
        platform_args: platform::args(&target_platform, &opts.build_platform),
        target_platform,
        stages: HashMap::new(),
        in_progress: Vec::new(),
        diagnostics: Vec::new(),
        cap_uses: Vec::new(),
        base_images: Vec::new(),
    };
    lowerer.resolve_args(target);
    Ok(Started {
        lowerer,
        target_name,
        target,
        stage_name,
    })
}

fn choose_platform(
    target: Option<&Target>,
    opts: &LowerOptions,
) -> Result<String, Vec<Diagnostic>> {
    let declared: Vec<&Sp<String>> = target
        .map(|t| t.platforms.iter().collect())
        .unwrap_or_default();
    match &opts.platform {
        Some(asked) => {
            if !declared.is_empty() && !declared.iter().any(|p| p.value == *asked) {
                let list: Vec<&str> = declared.iter().map(|p| p.value.as_str()).collect();
                let first = declared[0].span;
                return Err(vec![
                    Diagnostic::error(
                        Code::InvalidPlatform,
                        format!("the target does not declare platform `{asked}`"),
                    )
                    .with_label(first, format!("declared: {}", list.join(", ")))
                    .with_help(
                        "build one of the declared platforms, or add this one to `platforms`",
                    ),
                ]);
            }
            if let Err(problem) = kiln_dsl::platform::parse(asked) {
                return Err(vec![Diagnostic::error(
                    Code::InvalidPlatform,
                    format!("invalid platform `{asked}`: {problem}"),
                )]);
            }
            Ok(asked.clone())
        }
        None => Ok(declared
            .first()
            .map_or_else(|| opts.build_platform.clone(), |p| p.value.clone())),
    }
}

impl Lowerer<'_> {
    /// Each arg's value, by the one rule every entry point follows: the caller's build arg,
    /// else the target's `args`, else a value given for the file's arg (`--var`), else the
    /// file's default.
    fn resolve_args(&mut self, target: Option<&Target>) {
        let given = GivenArgs {
            build_args: &self.opts.build_args,
            arg_values: &self.opts.arg_values,
        };
        for (name, arg) in &self.model.args {
            let value = match arg_value(&name.value, arg, target, given) {
                Some(ArgValue::Given(v)) => Some(v.to_string()),
                Some(ArgValue::Written(v)) => self.expand(v, &[]),
                None => None,
            };
            self.args.insert(name.value.clone(), value);
        }
    }

    /// Replace `${NAME}` in a string: args, platform args, then `env` (the stage's
    /// environment so far). An unknown name is an error at the string's span.
    pub fn expand(&mut self, value: &Sp<String>, env: &[(String, String)]) -> Option<String> {
        if !value.value.contains('$') {
            return Some(value.value.clone());
        }
        let platform_args = &self.platform_args;
        let mut missing: Option<String> = None;
        let result = interpolate::substitute(&value.value, |name| {
            let found = match self.args.get(name) {
                Some(Some(v)) => Some(v.clone()),
                Some(None) => None,
                None => platform_args
                    .iter()
                    .chain(env.iter().rev())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone()),
            };
            if found.is_none() && missing.is_none() {
                missing = Some(name.to_string());
            }
            found
        });
        if result.is_none() {
            let name = missing.unwrap_or_default();
            let help = if self.args.contains_key(&name) {
                format!(
                    "the arg `{name}` has no value: pass `--build-arg {name}=...` or give it a default"
                )
            } else {
                format!("declare `{name}` in `args` or `env`, or write `${{{name}:-default}}`")
            };
            self.diagnostics.push(
                Diagnostic::error(
                    Code::UndefinedVariable,
                    format!("`{name}` has no value here"),
                )
                .with_label(value.span, "cannot be expanded")
                .with_help(help),
            );
        }
        result
    }

    /// The state after a stage's steps (lowered once, then reused).
    pub fn stage(&mut self, name: &str) -> Option<StageState> {
        if let Some(done) = self.stages.get(name) {
            return Some(done.clone());
        }
        self.lower_stage_once(name)
    }

    /// Only the filesystem of a stage (what a copy or bind mount reads), without copying its
    /// whole state.
    pub fn stage_fs(&mut self, name: &str) -> Option<Option<Output>> {
        if let Some(done) = self.stages.get(name) {
            return Some(done.fs.clone());
        }
        self.lower_stage_once(name).map(|s| s.fs)
    }

    fn lower_stage_once(&mut self, name: &str) -> Option<StageState> {
        let (key, stage) = self.model.stages.get_key_value(name)?;
        if self.in_progress.iter().any(|n| n == name) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::StageCycle,
                    format!("stage `{name}` depends on itself"),
                )
                .with_label(key.span, "part of a cycle"),
            );
            return None;
        }
        self.in_progress.push(name.to_string());
        let state = self.lower_stage(name, stage);
        self.in_progress.pop();
        if let Some(state) = &state {
            self.stages.insert(name.to_string(), state.clone());
        }
        state
    }

    fn lower_stage(&mut self, name: &str, stage: &Stage) -> Option<StageState> {
        let platform = match &stage.platform {
            Some(p) => self.expand(p, &[])?,
            None => self.target_platform.clone(),
        };
        let mut state = self.base(name, stage, &platform)?;
        let mut counter = StepCounter::new(name, stage);
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
        for action in crate::packages::group_installs(stage) {
            match action {
                crate::packages::Action::Install(packages) => {
                    self.packages(&mut state, &packages, &mut counter)
                }
                crate::packages::Action::Step(step) => self.step(&mut state, step, &mut counter),
            }
        }
        if let Some(config) = &stage.image {
            self.apply_image_config(&mut state, config);
        }
        if !state.env.is_empty() {
            state.image.config.env =
                Some(state.env.iter().map(|(k, v)| format!("{k}={v}")).collect());
        }
        state.history.freeze();
        Some(state)
    }

    /// The state a stage starts from: scratch, another stage, or an image.
    fn base(&mut self, name: &str, stage: &Stage, platform: &str) -> Option<StageState> {
        let from = self.expand(&stage.from, &[])?;
        let pb_platform = platform::to_pb(platform);
        let empty = |platform: &str| {
            let p = platform::to_pb(platform);
            ImageConfig {
                architecture: p.architecture,
                os: p.os,
                variant: (!p.variant.is_empty()).then_some(p.variant),
                ..Default::default()
            }
        };
        if from == "scratch" {
            return Some(StageState {
                fs: None,
                image: empty(platform),
                history: HistoryChain::default(),
                base_image: None,
                packages_updated: false,
                env: Vec::new(),
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
        let normalized = match sources::normalize_image(&from) {
            Ok(n) => n,
            Err(problem) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidImage,
                        format!("`{from}` is not a valid image reference"),
                    )
                    .with_label(stage.from.span, problem),
                );
                return None;
            }
        };
        let mode = self.opts.image_resolve_mode.as_deref();
        let (op, caps) = sources::image_op(&pinned(&normalized, self.opts), &pb_platform, mode);
        let digest = self.add_op(
            &op,
            format!("[{name}] from {normalized}"),
            &caps,
            stage.from.span,
        );
        // What a resolver looks up: the reference as written (normalized), not pinned.
        let base = BaseImage {
            op: sources::image_op(&normalized, &pb_platform, mode).0,
            reference: normalized.clone(),
        };
        if !self.base_images.contains(&base) {
            self.base_images.push(base);
        }
        let mut image = self
            .opts
            .base_configs
            .get(&normalized)
            .and_then(|bytes| ImageConfig::from_base(bytes))
            .unwrap_or_else(|| empty(platform));
        image.rootfs.diff_ids.clear();
        let p = platform::to_pb(platform);
        image.architecture = p.architecture;
        image.os = p.os;
        image.variant = (!p.variant.is_empty()).then_some(p.variant);
        let workdir = image
            .config
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into());
        let user = image.config.user.clone().unwrap_or_default();
        let env = image.env_pairs();
        let history = HistoryChain::starting_with(std::mem::take(&mut image.history));
        Some(StageState {
            fs: Some(Output { digest, index: 0 }),
            image,
            history,
            base_image: Some(normalized),
            packages_updated: false,
            env,
            workdir,
            user,
            platform: platform.into(),
        })
    }

    /// Add an op to the graph with its name, caps and source location.
    pub fn add_op(
        &mut self,
        op: &pb::Op,
        name: String,
        caps: &[&'static str],
        span: Span,
    ) -> String {
        let ignore_cache = self.opts.no_cache;
        self.add_op_with_cache(op, name, caps, span, ignore_cache)
    }

    /// Add an op that `--no-cache` leaves cached: the client's build context. Its content is
    /// checksummed anyway, and a context tar from the request body can be read only once (a
    /// second fetch fails with "context not found").
    pub fn add_context_op(
        &mut self,
        op: &pb::Op,
        name: String,
        caps: &[&'static str],
        span: Span,
    ) -> String {
        self.add_op_with_cache(op, name, caps, span, false)
    }

    fn add_op_with_cache(
        &mut self,
        op: &pb::Op,
        name: String,
        caps: &[&'static str],
        span: Span,
        ignore_cache: bool,
    ) -> String {
        for cap in caps {
            self.cap_uses.push((cap, span));
        }
        let location = Some(self.range(span));
        self.dag.add(
            op,
            OpInfo {
                name,
                caps,
                location,
                ignore_cache,
            },
        )
    }

    fn range(&self, span: Span) -> pb::Range {
        let start = self.file.line_col(span.start);
        let end = self.file.line_col(span.end());
        let position = |lc: kiln_dsl::source::LineCol| pb::Position {
            line: lc.line as i32,
            character: lc.column as i32 - 1,
        };
        pb::Range {
            start: Some(position(start)),
            end: Some(position(end)),
        }
    }

    /// Refuse what the builder cannot do, at the step that needs it.
    fn check_caps(&mut self) {
        // One diagnostic per missing cap, at its first use (a mount's own span comes first).
        let mut reported = Vec::new();
        for (cap, span) in std::mem::take(&mut self.cap_uses) {
            if self.opts.caps.has(cap) || reported.contains(&cap) {
                continue;
            }
            reported.push(cap);
            self.diagnostics.push(
                Diagnostic::error(
                    Code::UnsupportedFeature,
                    format!("this builder's BuildKit lacks `{cap}`, which this step needs"),
                )
                .with_label(span, format!("needs `{cap}` (BuildKit {} or newer)", introduced_in(cap)))
                .with_help(format!(
                    "build with a BuildKit of {} or newer (Docker 20.10 has v0.8), or avoid this feature",
                    introduced_in(cap)
                )),
            );
        }
    }

    fn apply_labels(&mut self, image: &mut ImageConfig, labels: &kiln_dsl::model::StringMap) {
        for (key, value) in labels {
            if let Some(v) = self.expand(value, &[]) {
                image
                    .config
                    .labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert(key.value.clone(), v);
            }
        }
    }
}

/// Names steps `[stage i/n] ...` in progress output.
pub(crate) struct StepCounter {
    stage: String,
    done: usize,
    total: usize,
}

impl StepCounter {
    fn new(name: &str, stage: &Stage) -> Self {
        let total =
            crate::packages::group_installs(stage).len() + usize::from(stage.workdir.is_some());
        StepCounter {
            stage: name.to_string(),
            done: 0,
            total,
        }
    }

    pub fn name(&mut self, what: &str) -> String {
        self.done += 1;
        let mut what = what.replace('\n', " ");
        if what.chars().count() > 80 {
            what = what.chars().take(77).collect::<String>() + "...";
        }
        format!(
            "[{} {}/{}] {what}",
            self.stage,
            self.done,
            self.total.max(self.done)
        )
    }
}

/// Append-only history shared along chains of stages.
#[derive(Clone, Debug, Default)]
pub(crate) struct HistoryChain {
    /// The frozen history of the stages before this one.
    earlier: Option<Rc<HistoryNode>>,
    /// Entries added since.
    own: Vec<History>,
}

#[derive(Debug)]
struct HistoryNode {
    earlier: Option<Rc<HistoryNode>>,
    entries: Vec<History>,
}

impl HistoryChain {
    fn starting_with(entries: Vec<History>) -> Self {
        HistoryChain {
            earlier: None,
            own: entries,
        }
    }

    /// Seal the entries so far, so clones of this chain share them.
    fn freeze(&mut self) {
        if !self.own.is_empty() {
            let node = HistoryNode {
                earlier: self.earlier.take(),
                entries: std::mem::take(&mut self.own),
            };
            self.earlier = Some(Rc::new(node));
        }
    }

    fn to_vec(&self) -> Vec<History> {
        let mut nodes = Vec::new();
        let mut at = self.earlier.as_deref();
        while let Some(node) = at {
            nodes.push(node);
            at = node.earlier.as_deref();
        }
        let mut out: Vec<History> = nodes
            .iter()
            .rev()
            .flat_map(|n| n.entries.iter().cloned())
            .collect();
        out.extend(self.own.iter().cloned());
        out
    }
}

impl StageState {
    /// One history entry; `empty_layer` marks steps that change only the config.
    pub fn record(&mut self, created_by: String, empty_layer: bool) {
        self.history.own.push(History {
            created_by: Some(created_by),
            comment: Some("kiln".into()),
            empty_layer,
            ..Default::default()
        });
    }
}

/// Set one environment variable, replacing it in place if it exists (Docker's ENV).
pub(crate) fn set_env(env: &mut Vec<(String, String)>, name: &str, value: &str) {
    match env.iter_mut().find(|(k, _)| k == name) {
        Some(existing) => existing.1 = value.to_string(),
        None => env.push((name.to_string(), value.to_string())),
    }
}
