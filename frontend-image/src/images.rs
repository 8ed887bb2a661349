//! The images a build starts from, resolved before it is lowered for real: their configs
//! (Env, WorkingDir, User, Entrypoint and Cmd are inherited), and, for `packages:` without a
//! `manager:`, which package manager each has.

use crate::errors;
use crate::gateway::{Gateway, single_op_definition};
use kiln_dsl::model::PackageManager;
use kiln_lowering::{BaseImage, ImageResolver, LowerOptions};
use kiln_proto::{pb, rpc};

/// The compile step's resolver in the frontend: BuildKit's `ResolveImageConfig` for each
/// base image, all at once, and for builds that install packages without naming a manager, a
/// probe of each image's files for its package manager.
pub struct GatewayResolver {
    gateway: Gateway,
    probe: bool,
}

impl GatewayResolver {
    pub fn new(gateway: &Gateway, model: &kiln_dsl::BuildFile) -> GatewayResolver {
        GatewayResolver {
            gateway: gateway.clone(),
            probe: needs_manager_detection(model),
        }
    }
}

impl ImageResolver for GatewayResolver {
    type Error = rpc::Status;

    async fn resolve(
        &mut self,
        images: Vec<BaseImage>,
        options: &mut LowerOptions,
    ) -> Result<(), rpc::Status> {
        let mode = options
            .image_resolve_mode
            .clone()
            .unwrap_or_else(|| "default".into());
        let mut lookups = tokio::task::JoinSet::new();
        for base in images {
            let mut gateway = self.gateway.clone();
            let (mode, probe) = (mode.clone(), self.probe);
            lookups.spawn(async move {
                let found = resolve_one(&mut gateway, &base, &mode, probe).await;
                (base.reference, found)
            });
        }
        while let Some(joined) = lookups.join_next().await {
            let (reference, found) =
                joined.map_err(|e| errors::status(errors::UNKNOWN, e.to_string()))?;
            let ((digest, config), manager) = found?;
            if !digest.is_empty() {
                options.base_digests.insert(reference.clone(), digest);
            }
            options.base_configs.insert(reference.clone(), config);
            if let Some(manager) = manager {
                options.package_managers.insert(reference, manager);
            }
        }
        Ok(())
    }
}

/// One base image's config, and (when `probe`) its package manager.
async fn resolve_one(
    gateway: &mut Gateway,
    base: &BaseImage,
    mode: &str,
    probe: bool,
) -> Result<((String, Vec<u8>), Option<Option<PackageManager>>), rpc::Status> {
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
