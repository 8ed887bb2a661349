//! Semantic checks on a decoded build file. Each check adds diagnostics and never stops the
//! others, so one run reports every problem.

pub mod cache;
pub mod directives;
mod graph;
mod names;
mod pins;
mod sizes;
mod values;

pub use values::{is_full_commit, is_http_url, is_port};
mod variables;

use crate::diagnostic::{Diagnostic, catalogue};
use crate::interpolate;
use crate::model::{BuildFile, StringMap};
use crate::platform::PLATFORM_ARGS;
use crate::source::SourceFile;
use crate::span::{Sp, Span};
use crate::suggest::did_you_mean;
use std::collections::HashMap;

/// What to check beyond the defaults.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Warn about base images not pinned by digest (`kiln check --strict`).
    pub strict: bool,
    /// Values of an HCL file's variables (`--var`, `build-arg:`, opted-in environment).
    pub vars: crate::hcl_front::HclOptions,
}

/// Run every check on a decoded file.
/// Build args that BuildKit, Docker or kiln give meaning to without a declaration: never a
/// typo (the proxy variables, BUILDKIT_*, SOURCE_DATE_EPOCH, the platform args).
fn predefined_build_arg(name: &str) -> bool {
    const PROXIES: &[&str] = &[
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "FTP_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
    ];
    name.starts_with("BUILDKIT_")
        || name == "SOURCE_DATE_EPOCH"
        || PROXIES.iter().any(|p| p.eq_ignore_ascii_case(name))
        || PLATFORM_ARGS.contains(&name)
}

/// A warning, with did-you-mean, for each build arg given from outside (`--build-arg`,
/// BuildKit's `build-arg:`) that names no arg of the file (HCL variables are its args).
pub fn unknown_build_args<'a>(
    model: &BuildFile,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<Diagnostic> {
    let declared = || model.args.keys().map(|k| k.value.as_str());
    names
        .into_iter()
        .filter(|name| !model.args.contains_key(*name) && !predefined_build_arg(name))
        .map(|name| catalogue::unknown_build_arg(name, did_you_mean(name, declared())))
        .collect()
}

pub fn check(model: &BuildFile, file: &SourceFile) -> Vec<Diagnostic> {
    check_with(model, file, &Options::default())
}

/// Run every check, with options.
pub fn check_with(model: &BuildFile, file: &SourceFile, options: &Options) -> Vec<Diagnostic> {
    let mut cx = Checker {
        model,
        file,
        diagnostics: Vec::new(),
        arg_sizes: Default::default(),
        default_values: Default::default(),
    };
    names::check(&mut cx);
    let graph = graph::check(&mut cx);
    values::check(&mut cx, &graph);
    cache::check(&mut cx);
    variables::check(&mut cx, &graph);
    if options.strict {
        pins::check(&mut cx);
    }
    cx.diagnostics
}

pub(crate) struct Checker<'a> {
    model: &'a BuildFile,
    file: &'a SourceFile,
    diagnostics: Vec<Diagnostic>,
    /// What each arg's default expands to, in bytes (see sizes.rs).
    arg_sizes: std::collections::HashMap<String, usize>,
    /// Every arg's value from the defaults alone (see `substitute_args`), once asked for.
    default_values: std::cell::OnceCell<HashMap<String, Option<String>>>,
}

/// What a `from` (of a stage, a copy or a bind mount) refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Scratch,
    Stage(String),
    Image(String),
    /// Contains `${...}` that cannot be resolved without build-time values.
    Dynamic,
}

impl Checker<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Resolve a `from` value: `scratch`, a stage name, or else an image reference.
    /// `${ARG}` is replaced by the arg's default when it has one.
    fn resolve_from(&self, from: &str) -> Source {
        let resolved = if from.contains("${") {
            match self.substitute_args(from) {
                Some(s) => s,
                None => return Source::Dynamic,
            }
        } else {
            from.to_string()
        };
        if resolved == "scratch" {
            Source::Scratch
        } else if self.model.stages.contains_key(resolved.as_str()) {
            Source::Stage(resolved)
        } else {
            Source::Image(resolved)
        }
    }

    /// Substitute args by their defaults (each expanded from the args before it, as
    /// lowering does); `None` if a variable has no known value (platform args, for example,
    /// are only known at build time).
    fn substitute_args(&self, text: &str) -> Option<String> {
        // The defaults' values are the same for every `from:`: computed once per check.
        let values = self.default_values.get_or_init(|| self.arg_values(None));
        interpolate::substitute(text, |name| values.get(name).cloned().flatten())
    }

    /// [`Self::substitute_args`] for a target whose own `args` win over the defaults.
    fn substitute_args_for(&self, text: &str, target_args: Option<&StringMap>) -> Option<String> {
        let values = self.arg_values(target_args);
        interpolate::substitute(text, |name| values.get(name).cloned().flatten())
    }

    /// Every arg's value known at check time: the target's `args` or the default, with
    /// `${NAME}` of earlier args expanded (unknown when a name has no value yet, or the
    /// value is over the budget).
    fn arg_values(&self, target_args: Option<&StringMap>) -> HashMap<String, Option<String>> {
        let mut values: HashMap<String, Option<String>> = HashMap::new();
        let limit = crate::budget::MAX_VALUE_BYTES;
        for (name, arg) in &self.model.args {
            let written = target_args
                .and_then(|args| args.get(name.value.as_str()))
                .or(arg.default.as_ref());
            let value = written.and_then(|w| {
                interpolate::substitute_within(&w.value, limit, |n| {
                    values.get(n).cloned().flatten()
                })
                .ok()
            });
            values.insert(name.value.clone(), value);
        }
        values
    }

    /// The span of `value[offset..offset + len]` in the file, when the value is written
    /// literally there; otherwise the span of the whole value.
    fn sub_span(&self, value: &Sp<String>, offset: usize, len: usize) -> Span {
        let Some(written) = self.file.slice(value.span) else {
            return value.span;
        };
        let Some(needle) = value.value.get(offset..offset + len) else {
            return value.span;
        };
        let occurrence = value.value[..offset].matches(needle).count();
        match written.match_indices(needle).nth(occurrence) {
            Some((i, _)) => Span::new(value.span.start + i, len),
            None => value.span,
        }
    }
}
