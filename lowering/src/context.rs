//! The lowering's state: the `Lowerer` (model, options, graph, resolved args, the stages
//! lowered so far, diagnostics), each stage's `StageState`, and what every layer above
//! shares: expanding `${NAME}`, adding ops with their caps and source locations, naming
//! steps, and the image history.

use crate::caps::introduced_in;
use crate::dag::{Dag, OpInfo};
use crate::image::{History, ImageConfig};
use crate::ops::{BuiltOp, Output, source};
use crate::options::{BaseImage, LowerOptions};
use crate::plan::{ArgValue, GivenArgs, arg_value};
use crate::platform;
use kiln_dsl::model::{BuildFile, Target};
use kiln_dsl::{Diagnostic, SourceFile, Sp, Span, catalogue, interpolate};
use kiln_proto::pb;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::rc::Rc;

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
    /// The environment so far, in order; written into the image config of the result only.
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
    /// The stages lowered so far, each once.
    pub stages: HashMap<String, StageState>,
    /// The stages being lowered (to report cycles).
    pub in_progress: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every cap an op needs, with the span of what needed it.
    pub cap_uses: Vec<(&'static str, Span)>,
    pub base_images: Vec<BaseImage>,
    /// Args whose value is over the value budget (reported once, where it happened).
    oversized: HashSet<String>,
    /// The ops that load the main build context (its state last), once a step has used it.
    pub main_context: Vec<Output>,
}

impl<'a> Lowerer<'a> {
    /// A lowering for `target_platform`, its args resolved for `target`.
    pub fn new(
        model: &'a BuildFile,
        file: &'a SourceFile,
        opts: &'a LowerOptions,
        target: Option<&Target>,
        target_platform: String,
    ) -> Self {
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
            oversized: HashSet::new(),
            base_images: Vec::new(),
            main_context: Vec::new(),
        };
        lowerer.resolve_args(target);
        lowerer
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
                Some(ArgValue::Written(v)) => match self.expand_reporting(v, &[]) {
                    Ok(value) => Some(value),
                    Err(interpolate::Unsubstituted::TooLarge(_)) => {
                        self.oversized.insert(name.value.clone());
                        None
                    }
                    Err(interpolate::Unsubstituted::Missing) => None,
                },
                None => None,
            };
            self.args.insert(name.value.clone(), value);
        }
    }

    /// Replace `${NAME}` in a string: args, platform args, then `env` (the stage's
    /// environment so far). An unknown name is an error at the string's span.
    pub fn expand(&mut self, value: &Sp<String>, env: &[(String, String)]) -> Option<String> {
        self.expand_reporting(value, env).ok()
    }

    /// [`Self::expand`], saying why there is no value. A string that uses an arg already
    /// over the value budget is over it too, without a second report.
    fn expand_reporting(
        &mut self,
        value: &Sp<String>,
        env: &[(String, String)],
    ) -> Result<String, interpolate::Unsubstituted> {
        if !value.value.contains('$') {
            return Ok(value.value.clone());
        }
        let platform_args = &self.platform_args;
        let oversized = &self.oversized;
        let mut uses_oversized = false;
        let mut missing: Option<String> = None;
        let limit = kiln_dsl::budget::MAX_VALUE_BYTES;
        let result = interpolate::substitute_within(&value.value, limit, |name| {
            uses_oversized |= oversized.contains(name);
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
        match result {
            Err(_) if uses_oversized => Err(interpolate::Unsubstituted::TooLarge(limit)),
            Err(interpolate::Unsubstituted::TooLarge(size)) => {
                let diagnostic = catalogue::value_over_budget(value.span, size, limit);
                self.diagnostics.push(diagnostic);
                Err(interpolate::Unsubstituted::TooLarge(size))
            }
            Err(interpolate::Unsubstituted::Missing) => {
                let name = missing.unwrap_or_default();
                let is_arg = self.args.contains_key(&name);
                self.diagnostics
                    .push(catalogue::no_value_at_build(&name, value.span, is_arg));
                Err(interpolate::Unsubstituted::Missing)
            }
            ok => ok,
        }
    }

    /// Add an op to the graph with its name and source location; its caps are checked
    /// against the builder's at the end, at `span`.
    pub fn add_op(&mut self, op: BuiltOp, name: String, span: Span) -> Output {
        self.add(op, name, span, self.opts.no_cache)
    }

    /// Add an op that `--no-cache` leaves cached: the client's build context. Its content is
    /// checksummed anyway, and a context tar from the request body can be read only once (a
    /// second fetch fails with "context not found").
    pub fn add_context_op(&mut self, op: BuiltOp, name: String, span: Span) -> Output {
        self.add(op, name, span, false)
    }

    fn add(&mut self, op: BuiltOp, name: String, span: Span, ignore_cache: bool) -> Output {
        self.cap_uses.extend(op.caps.iter().map(|cap| (*cap, span)));
        let location = Some(self.range(span));
        let info = OpInfo {
            name,
            location,
            ignore_cache,
        };
        self.dag.add(op, info)
    }

    /// The normalized form of an image reference, or (reported) the diagnostic `invalid`
    /// makes from why it is not one.
    pub fn normalize_image(
        &mut self,
        image: &str,
        invalid: impl FnOnce(&str) -> Diagnostic,
    ) -> Option<String> {
        match source::normalize_image(image) {
            Ok(normalized) => Some(normalized),
            Err(problem) => {
                self.diagnostics.push(invalid(&problem));
                None
            }
        }
    }

    /// The source op of an image (normalized) for `platform`, added to the graph.
    pub fn add_image(
        &mut self,
        normalized: &str,
        platform: &str,
        name: String,
        span: Span,
    ) -> Output {
        let op = self.image_op(normalized, platform);
        self.add_op(op, name, span)
    }

    /// The source op of an image (normalized) for `platform`, as this build resolves images.
    pub fn image_op(&self, normalized: &str, platform: &str) -> BuiltOp {
        let mode = self.opts.image_resolve_mode.as_deref();
        source::image_op(normalized, &platform::to_pb(platform), mode)
    }

    pub fn range(&self, span: Span) -> pb::Range {
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
    pub fn check_caps(&mut self) {
        // One diagnostic per missing cap, at its first use (a mount's own span comes first).
        let mut reported = Vec::new();
        for (cap, span) in std::mem::take(&mut self.cap_uses) {
            if self.opts.caps.has(cap) || reported.contains(&cap) {
                continue;
            }
            reported.push(cap);
            self.diagnostics.push(catalogue::unsupported_feature(
                cap,
                introduced_in(cap),
                span,
            ));
        }
    }

    pub fn apply_labels(&mut self, image: &mut ImageConfig, labels: &kiln_dsl::model::StringMap) {
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
    /// A counter for the `total` steps of stage `name`.
    pub fn new(name: &str, total: usize) -> Self {
        StepCounter {
            stage: name.to_string(),
            done: 0,
            total,
        }
    }

    pub fn name(&mut self, what: &str) -> String {
        self.done += 1;
        let what: std::borrow::Cow<'_, str> = if what.contains('\n') {
            what.replace('\n', " ").into()
        } else {
            what.into()
        };
        // Up to 80 bytes are up to 80 characters: count them only for longer text.
        let what = if what.len() > 80 && what.chars().count() > 80 {
            (what.chars().take(77).collect::<String>() + "...").into()
        } else {
            what
        };
        // Into a string sized once: this names every op.
        let mut name = String::with_capacity(self.stage.len() + what.len() + 16);
        let total = self.total.max(self.done);
        let _ = write!(name, "[{} {}/{total}] {what}", self.stage, self.done);
        name
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
    pub fn starting_with(entries: Vec<History>) -> Self {
        HistoryChain {
            earlier: None,
            own: entries,
        }
    }

    /// Seal the entries so far, so clones of this chain share them.
    pub fn freeze(&mut self) {
        if !self.own.is_empty() {
            let node = HistoryNode {
                earlier: self.earlier.take(),
                entries: std::mem::take(&mut self.own),
            };
            self.earlier = Some(Rc::new(node));
        }
    }

    pub fn to_vec(&self) -> Vec<History> {
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

#[cfg(test)]
mod tests {
    use super::StepCounter;

    #[test]
    fn steps_are_named_by_stage_and_position() {
        let mut counter = StepCounter::new("app", 12);
        assert_eq!(counter.name("run: make"), "[app 1/12] run: make");
        for _ in 0..9 {
            counter.name("env");
        }
        assert_eq!(counter.name("a\nb"), "[app 11/12] a b");
        counter.name("x");
        // More steps than counted (a step that makes two ops) never says 13/12.
        assert_eq!(counter.name("y"), "[app 13/13] y");
        let long = "é".repeat(100);
        let named = StepCounter::new("s", 0).name(&long);
        assert_eq!(named, format!("[s 1/1] {}...", "é".repeat(77)));
    }
}
