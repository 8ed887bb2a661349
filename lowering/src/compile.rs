//! The one compile step every entry point shares (the frontend, `kiln llb`): what to build
//! (the selection rule), for which platforms, with the base images resolved by whoever can
//! (the gateway in the frontend; nothing offline), then one lowering per target and platform.
//! Lowering stays a pure function; the resolver is the only I/O, and it is the caller's.

use crate::discover;
use crate::lower::{BaseImage, LowerOptions, Lowered, lower};
use crate::plan::{Selection, select};
use kiln_dsl::{BuildFile, Diagnostic, SourceFile};
use std::future::Future;

/// Who looks up base images: their configs (so Env, WorkingDir, User, ... are inherited) and
/// package managers, written into the options lowering reads.
pub trait ImageResolver {
    type Error;
    /// Whether it resolves anything (an offline resolver does not, so no first pass is made).
    fn resolves(&self) -> bool {
        true
    }
    /// Resolve `images` (none of them in `options.base_configs` yet) into `options`.
    fn resolve(
        &mut self,
        images: Vec<BaseImage>,
        options: &mut LowerOptions,
    ) -> impl Future<Output = Result<(), Self::Error>>;
}

/// Resolves nothing: base images start from an empty config (documented for `kiln llb`).
pub struct Offline;

impl ImageResolver for Offline {
    type Error = std::convert::Infallible;
    fn resolves(&self) -> bool {
        false
    }
    async fn resolve(
        &mut self,
        _: Vec<BaseImage>,
        _: &mut LowerOptions,
    ) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// One thing to solve: a target on a platform, keyed as the result describes it.
pub struct Build {
    /// The result key: the platform for one target, the target name in a group, and
    /// `<target>/<platform>` for a group on several platforms.
    pub key: String,
    pub lowered: Lowered,
}

/// What a request compiles to.
pub struct Compiled {
    pub selection: Selection,
    pub builds: Vec<Build>,
    /// Whether the result has several refs (a group, or several platforms).
    pub multi: bool,
}

pub enum CompileError<E> {
    /// Nothing to build by that name, or no default (the message lists the choices).
    Selection(String),
    /// Lowering refused the build (diagnostics at the steps).
    Lowering(Vec<Diagnostic>),
    Resolver(E),
}

impl<E> CompileError<E> {
    /// The same error with the resolver's error mapped (e.g. to one type for every resolver).
    pub fn map_resolver<F>(self, f: impl FnOnce(E) -> F) -> CompileError<F> {
        match self {
            CompileError::Selection(message) => CompileError::Selection(message),
            CompileError::Lowering(diagnostics) => CompileError::Lowering(diagnostics),
            CompileError::Resolver(e) => CompileError::Resolver(f(e)),
        }
    }
}

/// Compile the selection for `platforms` (`""`: the default one) with `base` options: the
/// base images of every build are found first and resolved in one call (the resolver may
/// look them up concurrently), then each build is lowered once.
pub async fn compile<R: ImageResolver>(
    model: &BuildFile,
    file: &SourceFile,
    base: &LowerOptions,
    platforms: &[String],
    resolver: &mut R,
) -> Result<Compiled, CompileError<R::Error>> {
    let resolved = resolve_base_images(model, file, base, platforms, resolver).await?;
    lower_resolved(model, file, &resolved).map_err(CompileError::Lowering)
}

/// The first half of [`compile`]: what to build, and the options every build starts from
/// with its base images resolved into them.
pub struct Resolved {
    /// A caller may still set what resolution does not read (the frontend's
    /// `.dockerignore`) before [`lower_resolved`].
    pub options: LowerOptions,
    planned: Planned,
}

/// The selection and the base images of its builds resolved into `base`: the first half of
/// [`compile`], for a caller that does other I/O meanwhile (the frontend reads
/// `.dockerignore`, which no base image depends on) and then calls [`lower_resolved`].
pub async fn resolve_base_images<R: ImageResolver>(
    model: &BuildFile,
    file: &SourceFile,
    base: &LowerOptions,
    platforms: &[String],
    resolver: &mut R,
) -> Result<Resolved, CompileError<R::Error>> {
    let planned = plan(model, base, platforms).map_err(CompileError::Selection)?;
    // The resolver writes what it finds into these options, which every build then starts
    // from (whatever fields a resolver sets, no build misses them).
    let mut options = base.clone();
    if resolver.resolves() {
        let missing = missing_images(model, file, &options, &planned);
        if !missing.is_empty() {
            resolver
                .resolve(missing, &mut options)
                .await
                .map_err(CompileError::Resolver)?;
        }
    }
    Ok(Resolved { options, planned })
}

/// The base images of the planned builds that `options` has no config of, each once.
fn missing_images(
    model: &BuildFile,
    file: &SourceFile,
    options: &LowerOptions,
    planned: &Planned,
) -> Vec<BaseImage> {
    let mut missing: Vec<BaseImage> = Vec::new();
    for (target, platform) in &planned.builds {
        let build = for_build(options, target, platform);
        for image in discover::base_images(model, file, &build) {
            if !options.base_configs.contains_key(&image.reference) && !missing.contains(&image) {
                missing.push(image);
            }
        }
    }
    missing
}

/// The second half of [`compile`]: each build of the selection lowered once (no I/O: what
/// was not resolved stays unresolved).
pub fn lower_resolved(
    model: &BuildFile,
    file: &SourceFile,
    resolved: &Resolved,
) -> Result<Compiled, Vec<Diagnostic>> {
    let planned = &resolved.planned;
    let mut builds = Vec::new();
    for (target, platform) in &planned.builds {
        let options = for_build(&resolved.options, target, platform);
        let lowered = lower(model, file, &options)?;
        let key = match (planned.group, planned.several_platforms) {
            (false, _) => lowered.platform.clone(),
            (true, false) => target.clone(),
            (true, true) => format!("{target}/{}", lowered.platform),
        };
        builds.push(Build { key, lowered });
    }
    Ok(Compiled {
        selection: planned.selection.clone(),
        builds,
        multi: planned.group || planned.several_platforms,
    })
}

/// The selection and its builds: each target on each platform.
struct Planned {
    selection: Selection,
    group: bool,
    several_platforms: bool,
    builds: Vec<(String, String)>,
}

fn plan(model: &BuildFile, base: &LowerOptions, platforms: &[String]) -> Result<Planned, String> {
    let selection = select(model, base.target.as_deref())?;
    let (targets, group) = match &selection {
        Selection::One(name) => (vec![name.clone()], false),
        Selection::Group { targets, .. } => (targets.clone(), true),
    };
    let builds = platforms
        .iter()
        .flat_map(|platform| targets.iter().map(move |t| (t.clone(), platform.clone())))
        .collect();
    Ok(Planned {
        selection,
        group,
        several_platforms: platforms.len() > 1,
        builds,
    })
}

/// The options of one build: `options` for `target` on `platform` (`""`: the default one).
fn for_build(options: &LowerOptions, target: &str, platform: &str) -> LowerOptions {
    LowerOptions {
        target: Some(target.to_string()),
        platform: (!platform.is_empty()).then(|| platform.to_string()),
        ..options.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use std::task::{Context, Poll, Waker};

    /// A file that does not check has no model: tests start from one that does.
    fn checked() -> kiln_dsl::Checked {
        let checked = kiln_dsl::check_bytes("kiln.yaml", FILE.as_bytes(), &Default::default());
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        checked
    }

    /// The output of a future that never waits (the fake resolver's).
    fn ready<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the fake resolver never waits"),
        }
    }

    /// Gives every image a config with an environment, a workdir and a digest, and counts
    /// how often it is asked.
    #[derive(Default)]
    struct Fake {
        calls: usize,
    }

    impl ImageResolver for Fake {
        type Error = ();
        async fn resolve(
            &mut self,
            images: Vec<BaseImage>,
            options: &mut LowerOptions,
        ) -> Result<(), ()> {
            self.calls += 1;
            for image in images {
                let config = br#"{"config":{"Env":["FROM_IMAGE=1"],"WorkingDir":"/srv"}}"#;
                options
                    .base_configs
                    .insert(image.reference.clone(), config.to_vec());
                let digest = format!("sha256:{}", "ab".repeat(32));
                options.base_digests.insert(image.reference, digest);
            }
            Ok(())
        }
    }

    const FILE: &str = "version: 1\nstages:\n  app:\n    from: alpine:3\n    steps:\n      - copy: { src: src/, dst: ./ }\n      - run: make\n";

    /// The frontend's two halves, with `.dockerignore` set between them, compile to the same
    /// bytes as the one step every other entry point calls with it set before.
    #[test]
    fn the_two_halves_compile_what_one_step_compiles() {
        let checked = checked();
        let model = checked.model.as_ref().expect("a model");
        let ignores = vec!["*.log".to_string()];
        let with_ignores = LowerOptions {
            dockerignore: ignores.clone(),
            ..Default::default()
        };
        let platforms = [String::new()];
        let mut fake = Fake::default();
        let whole = ready(compile(
            model,
            &checked.file,
            &with_ignores,
            &platforms,
            &mut fake,
        ));
        let Ok(whole) = whole else { panic!("compiles") };

        let mut fake = Fake::default();
        let halves = ready(resolve_base_images(
            model,
            &checked.file,
            &Default::default(),
            &platforms,
            &mut fake,
        ));
        let Ok(mut resolved) = halves else {
            panic!("resolves")
        };
        assert_eq!(fake.calls, 1);
        resolved.options.dockerignore = ignores;
        let Ok(split) = lower_resolved(model, &checked.file, &resolved) else {
            panic!("lowers")
        };
        let bytes = |c: &Compiled| c.builds[0].lowered.definition.encode_to_vec();
        assert_eq!(bytes(&whole), bytes(&split));
        // What the resolver found is in the result: the pinned image and its config.
        assert_eq!(
            whole.builds[0].lowered.image.config.working_dir.as_deref(),
            Some("/srv")
        );
        let text = String::from_utf8_lossy(&bytes(&split)).into_owned();
        assert!(text.contains("alpine:3@sha256:abab"), "the image is pinned");
        assert!(
            text.contains("*.log"),
            "the context op carries the .dockerignore"
        );
    }

    #[test]
    fn an_unknown_target_is_looked_up_nowhere_and_refused_by_lowering() {
        let checked = checked();
        let model = checked.model.as_ref().expect("a model");
        let options = LowerOptions {
            target: Some("nope".into()),
            ..Default::default()
        };
        let platforms = [String::new()];
        let mut fake = Fake::default();
        let resolved = ready(resolve_base_images(
            model,
            &checked.file,
            &options,
            &platforms,
            &mut fake,
        ));
        let Ok(resolved) = resolved else {
            panic!("nothing to resolve is no error")
        };
        assert_eq!(fake.calls, 0, "no image of an unknown target is looked up");
        let Err(diagnostics) = lower_resolved(model, &checked.file, &resolved) else {
            panic!("an unknown target does not lower")
        };
        assert!(diagnostics[0].message.contains("`nope`"), "{diagnostics:?}");
    }
}
