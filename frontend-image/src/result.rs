//! What a frontend run returns: the result BuildKit exports, or kiln's report of a build it
//! cannot lower.

use crate::errors::{self, INVALID_ARGUMENT};
use crate::gateway::Gateway;
use kiln_dsl::render;
use kiln_lowering::Lowered;
use kiln_proto::{gateway as gw, pb, rpc};
use std::collections::BTreeMap;

/// The error of a build that lowering refused: kiln's report of it.
pub fn cannot_lower(
    file: &kiln_dsl::SourceFile,
    diagnostics: &[kiln_dsl::Diagnostic],
    filename: &str,
) -> rpc::Status {
    let report = render::render_human(file, diagnostics, false);
    errors::status(
        INVALID_ARGUMENT,
        format!("kiln cannot build {filename}:\n\n{report}"),
    )
}

/// The result BuildKit exports: one ref and its config, or one per platform with
/// `refs.platforms` describing them.
pub fn describe_result(
    gateway: &Gateway,
    results: Vec<(String, Lowered, String)>,
    multi: bool,
) -> gw::Result {
    let ref_array = gateway.gateway_caps.contains("proto.refarray");
    let as_ref = |id: String, definition: pb::Definition| gw::Ref {
        id,
        def: Some(definition),
    };
    let config = |lowered: &Lowered| serde_json::to_vec(&lowered.image).unwrap_or_default();
    let mut metadata = BTreeMap::new();
    if !multi {
        let (_, lowered, id) = results.into_iter().next().expect("one platform at least");
        metadata.insert("containerimage.config".to_string(), config(&lowered));
        let result = if ref_array {
            gw::result::Result::Ref(as_ref(id, lowered.definition))
        } else {
            gw::result::Result::RefDeprecated(id)
        };
        return gw::Result {
            result: Some(result),
            metadata,
        };
    }
    let mut platforms = Vec::new();
    let mut refs = BTreeMap::new();
    let mut deprecated = BTreeMap::new();
    for (platform, lowered, id) in results {
        metadata.insert(
            format!("containerimage.config/{platform}"),
            config(&lowered),
        );
        let p = &lowered.image;
        let mut described = serde_json::json!({ "architecture": p.architecture, "os": p.os });
        if let Some(variant) = &p.variant {
            described["variant"] = variant.clone().into();
        }
        platforms.push(serde_json::json!({ "ID": platform, "Platform": described }));
        deprecated.insert(platform.clone(), id.clone());
        refs.insert(platform, as_ref(id, lowered.definition));
    }
    metadata.insert(
        "refs.platforms".to_string(),
        serde_json::to_vec(&serde_json::json!({ "Platforms": platforms })).unwrap_or_default(),
    );
    let result = if ref_array {
        gw::result::Result::Refs(gw::RefMap { refs })
    } else {
        gw::result::Result::RefsDeprecated(gw::RefMapDeprecated { refs: deprecated })
    };
    gw::Result {
        result: Some(result),
        metadata,
    }
}
