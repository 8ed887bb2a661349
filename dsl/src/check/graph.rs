//! References between stages, targets and groups: unknown names, cycles, empty groups and
//! stages no target uses.

use super::{Checker, Source};
use crate::diagnostic::{Diagnostic, catalogue};
use crate::reference;
use crate::span::{Sp, Span};
use crate::suggest::did_you_mean;
use indexmap::{IndexMap, IndexSet};

/// What the stages refer to, for the checks that follow.
pub(super) struct Graph {
    /// What each stage's `from` resolved to.
    pub bases: IndexMap<String, Source>,
    /// Stage → the stages it uses (`from`, `copy.from`, bind mounts), with where.
    pub edges: IndexMap<String, Vec<(String, Span)>>,
}

pub(super) fn check(cx: &mut Checker<'_>) -> Graph {
    let model = cx.model;
    let mut graph = Graph {
        bases: IndexMap::new(),
        edges: IndexMap::new(),
    };
    for (name, stage) in &model.stages {
        let mut uses = Vec::new();
        for used in crate::walk::uses(stage) {
            let source = check_source(cx, used.place, used.kind.field());
            if let Source::Stage(s) = &source {
                uses.push((s.clone(), used.place.span));
            }
            if used.kind == crate::walk::UseKind::From {
                graph.bases.insert(name.value.clone(), source);
            }
        }
        graph.edges.insert(name.value.clone(), uses);
    }
    check_stage_cycles(cx, &graph);
    check_targets(cx);
    check_groups(cx);
    check_unused_stages(cx, &graph);
    graph
}

/// The `from` values of a step: a copy's source and bind mounts.
/// Resolve a `from` and report it when it is neither a stage nor a valid image reference, or
/// when it looks like a misspelt stage name.
fn check_source(cx: &mut Checker<'_>, from: &Sp<String>, what: &str) -> Source {
    let source = cx.resolve_from(from);
    let Source::Image(image) = &source else {
        return source;
    };
    if image.is_empty() {
        return source; // a missing `from` is reported by the decoder
    }
    // The stage names are gathered only for a message, not for every valid image.
    let stages = || -> Vec<&str> { cx.model.stages.keys().map(|k| k.value.as_str()).collect() };
    // Only a bare name (no registry, tag or digest) can be a misspelt stage.
    let bare_name = !image.contains(['/', ':', '@']);
    let near_stage = if bare_name {
        did_you_mean(image, cx.model.stages.keys().map(|k| k.value.as_str()))
    } else {
        None
    };
    match (reference::parse(image), near_stage) {
        (_, Some(stage)) => {
            let meant = Source::Stage(stage.to_string());
            cx.report(catalogue::misspelt_stage(image, what, from.span, stage));
            return meant; // so the misspelt stage is not also reported as unused
        }
        (Err(problem), _) => {
            let diagnostic = catalogue::not_stage_or_image(image, from.span, &problem, &stages());
            cx.report(diagnostic);
        }
        (Ok(_), _) => {}
    }
    source
}

fn check_stage_cycles(cx: &mut Checker<'_>, graph: &Graph) {
    let edges: IndexMap<&str, Vec<(&str, Span)>> = graph
        .edges
        .iter()
        .map(|(k, v)| {
            (
                k.as_str(),
                v.iter().map(|(t, s)| (t.as_str(), *s)).collect(),
            )
        })
        .collect();
    report_cycles(cx, &edges, catalogue::stage_cycle);
}

/// One diagnostic per cycle, made by `report` from its edges.
fn report_cycles(
    cx: &mut Checker<'_>,
    edges: &IndexMap<&str, Vec<(&str, Span)>>,
    report: fn(&[(&str, Span)]) -> Diagnostic,
) {
    for cycle in find_cycles(edges) {
        cx.report(report(&cycle));
    }
}

/// Every elementary cycle reachable by depth-first search, each reported once, as
/// (node, span of its edge to the next node).
fn find_cycles<'a>(edges: &IndexMap<&'a str, Vec<(&'a str, Span)>>) -> Vec<Vec<(&'a str, Span)>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnStack,
        Done,
    }
    let mut state: IndexMap<&str, State> = edges.keys().map(|k| (*k, State::New)).collect();
    let mut cycles = Vec::new();
    let mut seen_cycles: IndexSet<Vec<&str>> = IndexSet::new();
    for &start in edges.keys() {
        if state[start] != State::New {
            continue;
        }
        // Iterative DFS: the stack holds (node, next edge index, span of the edge taken in).
        let mut stack: Vec<(&str, usize, Span)> = vec![(start, 0, Span::default())];
        state.insert(start, State::OnStack);
        while let Some(&mut (node, ref mut next, _)) = stack.last_mut() {
            let out = edges.get(node).map_or(&[][..], |v| v.as_slice());
            if *next >= out.len() {
                state.insert(node, State::Done);
                stack.pop();
                continue;
            }
            let (target, span) = out[*next];
            *next += 1;
            match state.get(target).copied() {
                Some(State::New) => {
                    state.insert(target, State::OnStack);
                    stack.push((target, 0, span));
                }
                Some(State::OnStack) => {
                    let from = stack.iter().position(|(n, _, _)| *n == target).unwrap_or(0);
                    let mut cycle: Vec<(&str, Span)> = Vec::new();
                    for i in from..stack.len() {
                        let edge_out = stack.get(i + 1).map_or(span, |e| e.2);
                        cycle.push((stack[i].0, edge_out));
                    }
                    let mut key: Vec<&str> = cycle.iter().map(|(n, _)| *n).collect();
                    key.sort_unstable();
                    if seen_cycles.insert(key) {
                        cycles.push(cycle);
                    }
                }
                _ => {}
            }
        }
    }
    cycles
}

fn check_targets(cx: &mut Checker<'_>) {
    let model = cx.model;
    let stages: Vec<&str> = model.stages.keys().map(|k| k.value.as_str()).collect();
    for target in model.targets.values() {
        let stage = &target.stage;
        if stage.value.is_empty() || model.stages.contains_key(stage.value.as_str()) {
            continue;
        }
        let near = did_you_mean(stage, stages.iter().copied());
        cx.report(catalogue::unknown_target_stage(
            stage, stage.span, near, &stages,
        ));
    }
}

fn check_groups(cx: &mut Checker<'_>) {
    let model = cx.model;
    let names: Vec<&str> = model
        .targets
        .keys()
        .chain(model.groups.keys())
        .chain(model.stages.keys())
        .map(|k| k.value.as_str())
        .collect();
    let mut edges: IndexMap<&str, Vec<(&str, Span)>> = IndexMap::new();
    for (name, group) in &model.groups {
        if group.targets.is_empty() {
            cx.report(catalogue::empty_group(name, name.span));
        }
        let mut members = Vec::new();
        for member in &group.targets {
            let known = model.targets.contains_key(member.value.as_str())
                || model.groups.contains_key(member.value.as_str())
                || model.stages.contains_key(member.value.as_str());
            if !known {
                let near = did_you_mean(member, names.iter().copied());
                cx.report(catalogue::unknown_group_member(
                    member,
                    name,
                    member.span,
                    near,
                ));
            }
            // A name that is both a target and a group is reported by the name check; here it
            // counts as the target, so it does not also show up as a group cycle.
            let is_target = model.targets.contains_key(member.value.as_str());
            if !is_target && model.groups.contains_key(member.value.as_str()) {
                members.push((member.value.as_str(), member.span));
            }
        }
        edges.insert(name.value.as_str(), members);
    }
    report_cycles(cx, &edges, catalogue::group_cycle);
}

/// With targets declared, a stage that no target (or group) reaches is never built.
fn check_unused_stages(cx: &mut Checker<'_>, graph: &Graph) {
    let model = cx.model;
    if model.targets.is_empty() {
        return; // every stage can be built with `--target STAGE`
    }
    let roots = model
        .targets
        .values()
        .map(|t| t.stage.value.as_str())
        .chain(
            model
                .groups
                .values()
                .flat_map(|g| g.targets.iter().map(|m| m.value.as_str())),
        );
    let mut used: IndexSet<&str> = IndexSet::new();
    // A misspelt stage name (already an error) counts as a use of the stage it resembles.
    let stage_names: Vec<&str> = model.stages.keys().map(|k| k.value.as_str()).collect();
    let mut work: Vec<&str> = roots
        .filter_map(|r| match model.stages.get_key_value(r) {
            Some((name, _)) => Some(name.value.as_str()),
            None => did_you_mean(r, stage_names.iter().copied()),
        })
        .collect();
    while let Some(stage) = work.pop() {
        if used.insert(stage)
            && let Some(uses) = graph.edges.get(stage)
        {
            work.extend(uses.iter().map(|(s, _)| s.as_str()));
        }
    }
    for name in model.stages.keys() {
        if !used.contains(name.value.as_str()) {
            cx.report(catalogue::unused_stage(name, name.span));
        }
    }
}
