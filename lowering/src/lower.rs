//! The driver: pick the target, lower the stages it needs (each once), and assemble the
//! Definition and image config.

use crate::context::Lowerer;
use crate::image::ImageConfig;
use crate::ops::exec::env_strings;
use crate::options::MAX_SOLVE_REQUEST_BYTES;
pub use crate::options::{BaseImage, LowerOptions};
use crate::plan::select_target;
use kiln_dsl::model::{BuildFile, Target};
use kiln_dsl::{Diagnostic, SourceFile, Sp, catalogue};
use kiln_proto::pb;
use std::collections::BTreeMap;

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
    lowerer.lower_dependencies_first(&stage_name);
    let stage = lowerer.stage(&stage_name);
    let mut image = stage.as_ref().map(|s| s.image.clone()).unwrap_or_default();
    // The environment goes into the config once, for the result (stages only pass it on).
    if let Some(stage) = stage.as_ref().filter(|s| !s.env.is_empty()) {
        image.config.env = Some(env_strings(&stage.env));
    }
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
    let source = opts.attach_source.then_some(|| pb::SourceInfo {
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
        .map_err(|reason| vec![catalogue::cannot_select_target(reason)])?;
    let target_platform = choose_platform(target, opts)?;
    let lowerer = Lowerer::new(model, file, opts, target, target_platform);
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
                return Err(vec![catalogue::undeclared_platform(asked, &list, first)]);
            }
            if let Err(problem) = kiln_dsl::platform::parse(asked) {
                return Err(vec![catalogue::invalid_platform_option(asked, &problem)]);
            }
            Ok(asked.clone())
        }
        None => Ok(declared
            .first()
            .map_or_else(|| opts.build_platform.clone(), |p| p.value.clone())),
    }
}
