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
    let selection = select(model, base.target.as_deref()).map_err(CompileError::Selection)?;
    let (targets, group) = match &selection {
        Selection::One(name) => (vec![name.clone()], false),
        Selection::Group { targets, .. } => (targets.clone(), true),
    };
    let planned: Vec<(&String, &String)> = platforms
        .iter()
        .flat_map(|platform| targets.iter().map(move |target| (target, platform)))
        .collect();
    // The resolver writes what it finds into these options, which every build then starts
    // from (whatever fields a resolver sets, no build misses them).
    let mut resolved = base.clone();
    if resolver.resolves() {
        let mut missing: Vec<BaseImage> = Vec::new();
        for &(target, platform) in &planned {
            let options = for_build(base, target, platform);
            for image in discover::base_images(model, file, &options) {
                if !resolved.base_configs.contains_key(&image.reference)
                    && !missing.contains(&image)
                {
                    missing.push(image);
                }
            }
        }
        if !missing.is_empty() {
            resolver
                .resolve(missing, &mut resolved)
                .await
                .map_err(CompileError::Resolver)?;
        }
    }
    let several_platforms = platforms.len() > 1;
    let mut builds = Vec::new();
    for (target, platform) in planned {
        let options = for_build(&resolved, target, platform);
        let lowered = lower(model, file, &options).map_err(CompileError::Lowering)?;
        let key = match (group, several_platforms) {
            (false, _) => lowered.platform.clone(),
            (true, false) => target.clone(),
            (true, true) => format!("{target}/{}", lowered.platform),
        };
        builds.push(Build { key, lowered });
    }
    Ok(Compiled {
        selection,
        builds,
        multi: group || several_platforms,
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
