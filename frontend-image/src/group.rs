//! `--target GROUP`: every target of a group built in one frontend run.

use crate::errors;
use crate::gateway::Gateway;
use crate::images::resolve_base_images;
use crate::result::{cannot_lower, describe_result};
use kiln_lowering::{LowerOptions, lower};
use kiln_proto::{gateway as gw, rpc};

pub struct Group<'a> {
    pub targets: Vec<String>,
    /// The platforms to build each target for (`""`: the default one).
    pub platforms: &'a [String],
}

/// A group: every target lowered, then all solved at once in this build, so a stage they
/// share runs once. The result has one ref per target, keyed (and, for current BuildKits,
/// described in `refs.platforms`) by target name: a local export writes `DIR/<target>/`.
/// With several platforms, one ref per target and platform, keyed `<target>/<os>/<arch>`:
/// BuildKit's local exporter writes `DIR/<target>_<os>_<arch>/`.
pub async fn build(
    gateway: &mut Gateway,
    model: &kiln_dsl::BuildFile,
    file: &kiln_dsl::SourceFile,
    base: &LowerOptions,
    group: Group<'_>,
    filename: &str,
) -> Result<gw::Result, rpc::Status> {
    let mut all = Vec::new();
    let mut keys = Vec::new();
    // Base images resolved for one target serve the next ones.
    let mut options = base.clone();
    for platform in group.platforms {
        options.platform = (!platform.is_empty()).then(|| platform.clone());
        for target in &group.targets {
            options.target = Some(target.clone());
            resolve_base_images(gateway, model, file, &mut options).await?;
            let lowered =
                lower(model, file, &options).map_err(|d| cannot_lower(file, &d, filename))?;
            keys.push(if group.platforms.len() > 1 {
                format!("{target}/{}", lowered.platform)
            } else {
                target.clone()
            });
            all.push(lowered);
        }
    }
    let mut solves = tokio::task::JoinSet::new();
    for (i, lowered) in all.iter().enumerate() {
        if lowered.definition.def.is_empty() {
            continue;
        }
        let mut gateway = gateway.clone();
        let definition = lowered.definition.clone();
        solves.spawn(async move { (i, gateway.solve(definition, true).await) });
    }
    let mut ids = vec![String::new(); all.len()];
    let mut failure = None;
    while let Some(joined) = solves.join_next().await {
        let (i, solved) = joined.map_err(|e| errors::status(errors::UNKNOWN, e.to_string()))?;
        match solved {
            Ok(id) => ids[i] = id,
            Err(e) => {
                failure.get_or_insert((i, e));
            }
        }
    }
    if let Some((i, e)) = failure {
        return Err(errors::solve_failure(&e, &all[i].definition, filename));
    }
    let results = keys
        .into_iter()
        .zip(all)
        .zip(ids)
        .map(|((key, lowered), id)| (key, lowered, id))
        .collect();
    Ok(describe_result(gateway, results, true))
}
