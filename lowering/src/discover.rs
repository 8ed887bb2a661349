//! The images a target's stages start from, found by walking the model: what a frontend
//! resolves (configs, package managers) before the one real lowering. No op is built, so
//! this costs a fraction of a lowering and needs no second one.

use crate::lower::{BaseImage, LowerOptions, start};
use crate::ops::source as sources;
use kiln_dsl::SourceFile;
use kiln_dsl::model::BuildFile;

/// The base images of the stages the selected target needs (`from:`, copies and bind mounts
/// from other stages), each once. Values are expanded as lowering expands them; what cannot
/// be expanded or is not a valid reference is skipped here (lowering reports it).
pub(crate) fn base_images(
    model: &BuildFile,
    file: &SourceFile,
    options: &LowerOptions,
) -> Vec<BaseImage> {
    let Ok(started) = start(model, file, options) else {
        return Vec::new(); // lowering reports what is wrong
    };
    let mut lowerer = started.lowerer;
    let stages = kiln_dsl::walk::needed_stages(model, &started.stage_name, |place| {
        lowerer.expand(place, &[])
    });
    let mut found: Vec<BaseImage> = Vec::new();
    for name in stages {
        let stage = &model.stages[name];
        let platform = match &stage.platform {
            Some(p) => lowerer.expand(p, &[]),
            None => Some(lowerer.target_platform.clone()),
        };
        let (Some(platform), Some(from)) = (platform, lowerer.expand(&stage.from, &[])) else {
            continue;
        };
        if from == "scratch" || model.stages.contains_key(from.as_str()) {
            continue;
        }
        let Ok(reference) = sources::normalize_image(&from) else {
            continue;
        };
        let mode = options.image_resolve_mode.as_deref();
        let op = sources::image_op(&reference, &crate::platform::to_pb(&platform), mode).op;
        let base = BaseImage { reference, op };
        if !found.contains(&base) {
            found.push(base);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::lower;
    use kiln_dsl::{Limits, check_bytes};

    /// What a full lowering of every target and stage records as its base images.
    fn agree(name: &str, text: &str, options: &LowerOptions) {
        let checked = check_bytes(name, text.as_bytes(), &Limits::default());
        let model = checked.model.as_ref().expect("a model");
        let names = model.targets.keys().chain(model.stages.keys());
        for target in names.map(|k| k.value.clone()) {
            let options = LowerOptions {
                target: Some(target.clone()),
                ..options.clone()
            };
            let Ok(lowered) = lower(model, &checked.file, &options) else {
                continue;
            };
            let found = base_images(model, &checked.file, &options);
            let mut walked: Vec<&str> = found.iter().map(|b| b.reference.as_str()).collect();
            let mut lowered_refs: Vec<&str> = lowered
                .base_images
                .iter()
                .map(|b| b.reference.as_str())
                .collect();
            walked.sort();
            lowered_refs.sort();
            assert_eq!(walked, lowered_refs, "{name}, target {target}");
            for base in &lowered.base_images {
                assert!(
                    found.contains(base),
                    "{name} {target}: the same op for {base:?}"
                );
            }
        }
    }

    #[test]
    fn the_walk_finds_what_lowering_finds_in_every_example() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.display().to_string();
            if name.ends_with(".kiln.yaml") || name.ends_with(".kiln.hcl") {
                let text = std::fs::read_to_string(&path).unwrap();
                agree(&name, &text, &LowerOptions::default());
                let arm = LowerOptions {
                    platform: Some("linux/arm64".into()),
                    ..Default::default()
                };
                agree(&name, &text, &arm);
                seen += 1;
            }
        }
        assert!(seen >= 10, "the examples were read ({seen})");
    }

    /// Stage platforms, args in `from` and in copy and mount sources, a stage reached only
    /// through a bind mount, and a stage not needed (its image is not listed).
    #[test]
    fn the_walk_follows_args_platforms_copies_and_mounts() {
        let file = r#"version: 1
args:
  BASE: localhost:5000/debian:bookworm
  TOOLS: tools
stages:
  tools:
    from: localhost:5000/busybox:1
    platform: linux/arm64
    steps: [{ run: "true" }]
  mounted:
    from: localhost:5000/alpine:3
    steps: [{ run: "true" }]
  unused:
    from: localhost:5000/golang:1
  app:
    from: ${BASE}
    steps:
      - copy: { from: "${TOOLS}", src: /bin/true, dst: /t }
      - run: "true"
        mounts: [{ bind: /m, from: mounted }]
"#;
        agree("args.kiln.yaml", file, &LowerOptions::default());
        let checked = check_bytes("args.kiln.yaml", file.as_bytes(), &Limits::default());
        let model = checked.model.as_ref().unwrap();
        let options = LowerOptions {
            target: Some("app".into()),
            ..Default::default()
        };
        let found = base_images(model, &checked.file, &options);
        let refs: Vec<(&str, &str)> = found
            .iter()
            .map(|b| {
                let arch =
                    b.op.platform
                        .as_ref()
                        .map_or("", |p| p.architecture.as_str());
                (b.reference.as_str(), arch)
            })
            .collect();
        assert_eq!(refs.len(), 3, "{refs:?}");
        assert!(
            refs.contains(&("localhost:5000/busybox:1", "arm64")),
            "{refs:?}"
        );
        assert!(
            refs.contains(&("localhost:5000/debian:bookworm", "amd64")),
            "{refs:?}"
        );
        assert!(
            refs.contains(&("localhost:5000/alpine:3", "amd64")),
            "{refs:?}"
        );
    }
}
