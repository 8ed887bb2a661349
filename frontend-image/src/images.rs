//! The images a build starts from, resolved before it is lowered for real: their configs
//! (Env, WorkingDir, User, Entrypoint and Cmd are inherited), and, for `packages:` without a
//! `manager:`, which package manager each has.

use crate::errors;
use crate::gateway::{Gateway, single_op_definition};
use kiln_dsl::model::PackageManager;
use kiln_lowering::{CapSet, LowerOptions, lower};
use kiln_proto::{pb, rpc};

/// What the build starts from, learnt before lowering for real: the configs of its base
/// images (so their Env, WorkingDir, User, Entrypoint and Cmd are inherited), and for builds
/// that install packages without naming a manager, which manager each base image has.
/// A first, lenient lowering names the base images; then all are resolved (and probed) at
/// once into `options.base_configs` and `options.package_managers`. Images already there
/// are not asked for again (the targets of a group share them).
pub async fn resolve_base_images(
    gateway: &mut Gateway,
    model: &kiln_dsl::BuildFile,
    file: &kiln_dsl::SourceFile,
    options: &mut LowerOptions,
) -> Result<(), rpc::Status> {
    let discover = LowerOptions {
        unknown_vars_as_empty: true,
        caps: CapSet::All,
        attach_source: false,
        ..options.clone()
    };
    let Ok(first) = lower(model, file, &discover) else {
        return Ok(());
    };
    let probe = needs_manager_detection(model);
    let mode = options
        .image_resolve_mode
        .clone()
        .unwrap_or_else(|| "default".into());
    let mut lookups = tokio::task::JoinSet::new();
    for base in first.base_images {
        if options.base_configs.contains_key(&base.reference) {
            continue;
        }
        let mut gateway = gateway.clone();
        let mode = mode.clone();
        lookups.spawn(async move {
            let found = resolve_one(&mut gateway, &base, &mode, probe).await;
            (base.reference, found)
        });
    }
    while let Some(joined) = lookups.join_next().await {
        let (reference, found) =
            joined.map_err(|e| errors::status(errors::UNKNOWN, e.to_string()))?;
        let (config, manager) = found?;
        options.base_configs.insert(reference.clone(), config);
        if let Some(manager) = manager {
            options.package_managers.insert(reference, manager);
        }
    }
    Ok(())
}

/// One base image's config, and (when `probe`) its package manager.
async fn resolve_one(
    gateway: &mut Gateway,
    base: &kiln_lowering::BaseImage,
    mode: &str,
    probe: bool,
) -> Result<(Vec<u8>, Option<Option<PackageManager>>), rpc::Status> {
    let reference = &base.reference;
    let platform = base.op.platform.clone().unwrap_or_default();
    let config = gateway
        .image_config(reference, &platform, mode)
        .await
        .map_err(errors::failed(&format!(
            "cannot resolve the image {reference}"
        )))?;
    let manager = match probe {
        true => Some(probe_manager(gateway, &base.op, reference).await?),
        false => None,
    };
    Ok((config, manager))
}

/// Whether some `packages:` leaves the manager to detection.
fn needs_manager_detection(model: &kiln_dsl::BuildFile) -> bool {
    model.stages.values().any(|stage| {
        let detect = |p: &kiln_dsl::model::Packages| !p.is_empty() && p.manager.is_none();
        detect(&stage.packages)
            || stage.steps.iter().any(
                |s| matches!(&s.value, kiln_dsl::model::Step::Packages(p) if detect(&p.packages)),
            )
    })
}

/// Which package manager an image has, by looking for its program in the image's files.
async fn probe_manager(
    gateway: &mut Gateway,
    image_op: &pb::Op,
    reference: &str,
) -> Result<Option<PackageManager>, rpc::Status> {
    let definition = single_op_definition(
        image_op,
        &format!("[internal] find the package manager of {reference}"),
        &["source.image"],
    );
    let image = gateway
        .solve(definition, false)
        .await
        .map_err(errors::failed(&format!(
            "cannot load the image {reference}"
        )))?;
    const PROGRAMS: &[(&str, PackageManager)] = &[
        ("usr/bin/apt-get", PackageManager::Apt),
        ("sbin/apk", PackageManager::Apk),
        ("usr/bin/dnf", PackageManager::Dnf),
    ];
    for (path, manager) in PROGRAMS {
        if gateway.exists(&image, path).await {
            return Ok(Some(*manager));
        }
    }
    Ok(None)
}
