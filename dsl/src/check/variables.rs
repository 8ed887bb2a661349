//! `${NAME}` references: defined, well-formed, and every arg used. See the interpolation rule
//! in docs/format.md: args, then the stage's env so far (from its chain of stages), then the
//! base image's env (unknown to `kiln check`, hence a warning there).

use super::graph::Graph;
use super::{Checker, Source};
use crate::diagnostic::catalogue;
use crate::interpolate;
use crate::model::*;
use crate::platform::PLATFORM_ARGS;
use crate::span::Sp;
use crate::suggest::did_you_mean;
use indexmap::IndexSet;
use std::collections::{HashMap, HashSet};

/// Names that are always defined.
const ALWAYS_KNOWN: &[&str] = &["PATH"];

/// What a string can refer to where it is written.
struct Scope<'m, 's> {
    /// Env names the stages this one builds `from` set (shared by the walk, not copied).
    inherited: &'s HashMap<&'m str, usize>,
    /// Env names set so far in this stage (its `env`, then earlier steps).
    env: Vec<&'m str>,
    /// Whether the base image may define more env (unknown until build time).
    image_base: bool,
    /// Where the string is, for messages: "stage `app`", "target `app`".
    place: String,
}

pub(super) fn check(cx: &mut Checker<'_>, graph: &Graph) {
    let mut used: IndexSet<&str> = IndexSet::new();
    let model = cx.model;
    cx.arg_sizes = super::sizes::arg_sizes(cx);
    let arg_scope = |place: String| Scope {
        inherited: nothing(),
        env: Vec::new(),
        image_base: false,
        place,
    };

    for (name, arg) in &model.args {
        if let Some(default) = &arg.default {
            let scope = arg_scope(format!("arg `{}`", name.value));
            check_references(cx, default, &scope, &mut used);
        }
    }
    check_stages(cx, graph, &mut used);
    for (name, target) in &model.targets {
        let scope = arg_scope(format!("target `{}`", name.value));
        let strings = target
            .tags
            .iter()
            .chain(&target.platforms)
            .chain(target.args.values())
            .chain(target.labels.values())
            .chain(&target.cache_from)
            .chain(&target.cache_to);
        for s in strings.chain(target.output.as_ref().and_then(|o| o.dest.as_ref())) {
            check_string(cx, s, &scope, &mut used);
        }
        for key in target.args.keys() {
            if !model.args.contains_key(key.value.as_str()) {
                let near = did_you_mean(key, model.args.keys().map(|k| k.value.as_str()));
                cx.report(catalogue::undeclared_target_arg(name, key, key.span, near));
            }
        }
    }
    for name in model.args.keys() {
        if !used.contains(name.value.as_str()) {
            cx.report(catalogue::unused_arg(name, name.span));
        }
    }
}

/// Check every stage with the env its chain of `from` stages sets. The stages form a forest
/// by `from`; a depth-first walk from each root keeps the names set along the current path
/// in one shared count map (added on the way down, removed on the way up), so the work is
/// linear in the file: building each stage's chain anew was quadratic on long chains.
fn check_stages<'m>(cx: &mut Checker<'m>, graph: &Graph, used: &mut IndexSet<&'m str>) {
    let model = cx.model;
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut roots = Vec::new();
    for name in model.stages.keys() {
        match graph.bases.get(&name.value) {
            Some(Source::Stage(parent)) if model.stages.contains_key(parent.as_str()) => {
                children
                    .entry(parent.as_str())
                    .or_default()
                    .push(&name.value);
            }
            _ => roots.push(name.value.as_str()),
        }
    }
    let mut visited: HashSet<&str> = HashSet::new();
    let mut inherited: HashMap<&'m str, usize> = HashMap::new();
    for root in roots {
        let image_base = !matches!(graph.bases.get(root), Some(Source::Scratch));
        // (stage, false) enters a stage, (stage, true) leaves it.
        let mut work = vec![(root, false)];
        while let Some((name, leaving)) = work.pop() {
            let Some((key, stage)) = model.stages.get_key_value(name) else {
                continue;
            };
            let own = own_env(stage);
            if leaving {
                for env in own {
                    if let Some(count) = inherited.get_mut(env) {
                        *count -= 1;
                        if *count == 0 {
                            inherited.remove(env);
                        }
                    }
                }
                continue;
            }
            visited.insert(name);
            let scope = stage_scope(&inherited, &key.value, image_base);
            check_stage(cx, stage, scope, used);
            for env in own {
                *inherited.entry(env).or_default() += 1;
            }
            work.push((name, true));
            let below = children.get(name).map_or(&[][..], Vec::as_slice);
            work.extend(below.iter().rev().map(|child| (*child, false)));
        }
    }
    // Stages in a `from` cycle (reported elsewhere) or built on one: their chain has no
    // start, so they inherit nothing, and unknown names are warnings as for an image base.
    for (name, stage) in &model.stages {
        if !visited.contains(name.value.as_str()) {
            let scope = stage_scope(nothing(), &name.value, true);
            check_stage(cx, stage, scope, used);
        }
    }
}

fn nothing<'m>() -> &'static HashMap<&'m str, usize> {
    static EMPTY: std::sync::OnceLock<HashMap<&'static str, usize>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(HashMap::new)
}

fn stage_scope<'m, 's>(
    inherited: &'s HashMap<&'m str, usize>,
    name: &str,
    image_base: bool,
) -> Scope<'m, 's> {
    Scope {
        inherited,
        env: Vec::new(),
        image_base,
        place: format!("stage `{name}`"),
    }
}

/// The env names a stage sets for the stages built `from` it.
fn own_env(stage: &Stage) -> Vec<&str> {
    let mut env: Vec<&str> = stage.env.keys().map(|k| k.value.as_str()).collect();
    for step in &stage.steps {
        if let Step::Env(e) = &step.value {
            env.extend(e.env.keys().map(|k| k.value.as_str()));
        }
    }
    if let Some(image) = &stage.image {
        env.extend(image.env.keys().map(|k| k.value.as_str()));
    }
    env
}

fn check_stage<'m>(
    cx: &mut Checker<'_>,
    stage: &'m Stage,
    mut scope: Scope<'m, '_>,
    used: &mut IndexSet<&'m str>,
) {
    // `from` and `platform` are resolved before any env exists.
    let args_only = Scope {
        inherited: nothing(),
        env: Vec::new(),
        image_base: false,
        place: scope.place.clone(),
    };
    check_string(cx, &stage.from, &args_only, used);
    if let Some(p) = &stage.platform {
        check_string(cx, p, &args_only, used);
    }
    check_env_map(cx, &stage.env, &mut scope, used);
    for s in stage
        .packages
        .strings()
        .into_iter()
        .chain(&stage.workdir)
        .chain(&stage.user)
    {
        check_string(cx, s, &scope, used);
    }
    for step in &stage.steps {
        check_step(cx, &step.value, &mut scope, used);
    }
    if let Some(image) = &stage.image {
        check_env_map(cx, &image.env, &mut scope, used);
        let commands = [&image.entrypoint, &image.cmd].into_iter().flatten();
        let mut strings: Vec<&Sp<String>> =
            commands.flat_map(|c| command_strings(&c.value)).collect();
        strings.extend(
            image
                .user
                .iter()
                .chain(&image.workdir)
                .chain(&image.expose)
                .chain(&image.volumes),
        );
        strings.extend(image.labels.values());
        strings.extend(image.stopsignal.iter());
        if let Some(h) = &image.healthcheck {
            strings.extend(h.test.iter().flat_map(|c| command_strings(&c.value)));
        }
        for s in strings {
            check_string(cx, s, &scope, used);
        }
    }
}

fn check_step<'m>(
    cx: &mut Checker<'_>,
    step: &'m Step,
    scope: &mut Scope<'m, '_>,
    used: &mut IndexSet<&'m str>,
) {
    let strings: Vec<&Sp<String>> = match step {
        Step::Run(run) => {
            // The step's own env is visible to its command, not to later steps: it is
            // taken off the scope again afterwards.
            let outer_env = scope.env.len();
            check_env_map(cx, &run.env, scope, used);
            let mut strings = command_strings(&run.run.value);
            strings.extend(run.user.iter().chain(&run.workdir));
            strings.extend(run.mounts.iter().flat_map(|m| mount_strings(&m.value)));
            for s in strings {
                check_string(cx, s, scope, used);
            }
            scope.env.truncate(outer_env);
            return;
        }
        Step::Env(e) => {
            check_env_map(cx, &e.env, scope, used);
            return;
        }
        Step::Copy(CopyStep { copy }) => {
            let mut v: Vec<&Sp<String>> = copy.src.value.iter().collect();
            v.push(&copy.dst);
            if let Some(git) = &copy.git {
                v.extend(
                    std::iter::once(&git.url)
                        .chain(&git.reference)
                        .chain(&git.commit)
                        .chain(&git.subdir),
                );
            }
            v.extend(
                copy.from
                    .iter()
                    .chain(&copy.context)
                    .chain(&copy.exclude)
                    .chain(&copy.chown)
                    .chain(&copy.chmod),
            );
            v
        }
        Step::Download(DownloadStep { download: d }) => {
            let mut v = per_platform_strings(&d.url);
            v.extend(d.sha256.iter().flat_map(per_platform_strings));
            v.push(&d.dst);
            v.extend(d.mode.iter().chain(&d.chown));
            v
        }
        Step::Workdir(w) => vec![&w.workdir],
        Step::User(u) => vec![&u.user],
        Step::Mkdir(MkdirStep { mkdir }) => {
            let mut v = vec![&mkdir.path];
            v.extend(mkdir.mode.iter().chain(&mkdir.chown));
            v
        }
        Step::Symlink(SymlinkStep { symlink }) => vec![&symlink.target, &symlink.path],
        Step::Packages(p) => p.packages.strings(),
    };
    for s in strings {
        check_string(cx, s, scope, used);
    }
}

/// Check env values in order; each name becomes known to the entries after it. A bare
/// `$NAME` in an env value is stored literally, which is rarely what users mean.
fn check_env_map<'m>(
    cx: &mut Checker<'_>,
    env: &'m StringMap,
    scope: &mut Scope<'m, '_>,
    used: &mut IndexSet<&'m str>,
) {
    for (key, value) in env {
        check_string(cx, value, scope, used);
        for (offset, name) in interpolate::bare_references(&value.value) {
            let span = cx.sub_span(value, offset, name.len() + 1);
            cx.report(catalogue::bare_variable(name, span));
        }
        scope.env.push(&key.value);
    }
}

fn command_strings(command: &Command) -> Vec<&Sp<String>> {
    match command {
        Command::Shell(s) => vec![s],
        Command::Argv(argv) => argv.iter().collect(),
    }
}

fn mount_strings(mount: &Mount) -> Vec<&Sp<String>> {
    match mount {
        Mount::Cache(m) => std::iter::once(&m.cache)
            .chain(&m.id)
            .chain(&m.from)
            .chain(&m.source)
            .chain(&m.mode)
            .collect(),
        Mount::Secret(m) => std::iter::once(&m.secret)
            .chain(&m.target)
            .chain(&m.env)
            .collect(),
        Mount::Ssh(m) => std::iter::once(&m.ssh).chain(&m.target).collect(),
        Mount::Tmpfs(m) => vec![&m.tmpfs],
        Mount::Bind(m) => std::iter::once(&m.bind)
            .chain(&m.from)
            .chain(&m.context)
            .chain(&m.source)
            .collect(),
    }
}

fn per_platform_strings(value: &PerPlatform) -> Vec<&Sp<String>> {
    match value {
        PerPlatform::All(v) => vec![v],
        PerPlatform::ByPlatform(map) => map.values().collect(),
    }
}

/// A string: its references, and what it expands to against the value budget (arg defaults
/// were measured by `sizes::arg_sizes` already).
fn check_string<'m>(
    cx: &mut Checker<'_>,
    value: &'m Sp<String>,
    scope: &Scope<'m, '_>,
    used: &mut IndexSet<&'m str>,
) {
    if !value.value.contains('$') {
        return;
    }
    if let Some(diagnostic) = super::sizes::over_budget(value, &cx.arg_sizes) {
        cx.report(diagnostic);
    }
    check_references(cx, value, scope, used);
}

/// Every `${NAME}` in a string refers to something defined where it is written.
fn check_references<'m>(
    cx: &mut Checker<'_>,
    value: &'m Sp<String>,
    scope: &Scope<'m, '_>,
    used: &mut IndexSet<&'m str>,
) {
    if !value.value.contains('$') {
        return;
    }
    let pieces = match interpolate::parse(&value.value) {
        Ok(pieces) => pieces,
        Err(error) => {
            let span = cx.sub_span(value, error.offset, error.len);
            cx.report(catalogue::invalid_interpolation(error.message, span));
            return;
        }
    };
    for piece in pieces {
        let interpolate::Piece::Var(var) = piece else {
            continue;
        };
        if cx.model.args.contains_key(var.name) {
            used.insert(var.name);
            continue;
        }
        let known = PLATFORM_ARGS.contains(&var.name)
            || ALWAYS_KNOWN.contains(&var.name)
            || scope.env.contains(&var.name)
            || scope.inherited.contains_key(var.name);
        if known || var.default.is_some() {
            continue;
        }
        let span = cx.sub_span(value, var.offset, var.len);
        let candidates: Vec<&str> = cx
            .model
            .args
            .keys()
            .map(|k| k.value.as_str())
            .chain(scope.env.iter().copied())
            .chain(scope.inherited.keys().copied())
            .chain(PLATFORM_ARGS.iter().copied())
            .collect();
        let near = did_you_mean(var.name, candidates.iter().copied());
        let diagnostic = match near {
            None if scope.image_base => catalogue::variable_from_base_image(var.name, span),
            _ => catalogue::undefined_variable(var.name, &scope.place, span, near),
        };
        cx.report(diagnostic);
    }
}
