//! `kiln llb --resolve-images`: base image configs from their registries, read with
//! buildx's own client (`docker buildx imagetools inspect`), so credentials, mirrors and
//! plain-http registries work as they do for `docker buildx build`. With it, `kiln llb`
//! lowers what the frontend lowers: Env, WorkingDir, User, Entrypoint and Cmd inherited.

use kiln_lowering::{BaseImage, ImageResolver, LowerOptions};
use kiln_proto::pb;
use serde_json::Value;
use std::process::Command;

/// Asks the registries through buildx (on `builder`, else buildx's current one).
pub struct Imagetools {
    pub builder: Option<String>,
}

impl ImageResolver for Imagetools {
    type Error = String;

    async fn resolve(
        &mut self,
        images: Vec<BaseImage>,
        options: &mut LowerOptions,
    ) -> Result<(), String> {
        // One `imagetools inspect` per image, all at once: each is a registry round trip.
        let configs = std::thread::scope(|scope| {
            let lookups: Vec<_> = images
                .iter()
                .map(|base| scope.spawn(|| self.config(base)))
                .collect();
            let joined = lookups.into_iter().map(|l| l.join());
            joined
                .map(|r| r.unwrap_or_else(|_| Err("an image lookup panicked".into())))
                .collect::<Vec<_>>()
        });
        for (base, resolved) in images.into_iter().zip(configs) {
            let (digest, config) = resolved?;
            options.base_digests.insert(base.reference.clone(), digest);
            options.base_configs.insert(base.reference, config);
        }
        Ok(())
    }
}

impl Imagetools {
    /// The digest `base`'s reference resolves to (a manifest list's, for a multi-platform
    /// image, as BuildKit's ResolveImageConfig gives it) and the config for the platform its
    /// source op loads.
    fn config(&self, base: &BaseImage) -> Result<(String, Vec<u8>), String> {
        let mut command = Command::new("docker");
        command.args(["buildx", "imagetools", "inspect"]);
        if let Some(builder) = &self.builder {
            command.args(["--builder", builder]);
        }
        let format = r#"{"digest": {{json .Manifest.Digest}}, "image": {{json .Image}}}"#;
        command.args([&base.reference, "--format", format]);
        let reference = &base.reference;
        let out = command.output().map_err(|e| {
            format!("cannot run `docker buildx imagetools` to resolve {reference}: {e}")
        })?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "cannot resolve the image {reference}: {}",
                why.trim()
            ));
        }
        let platform = base.op.platform.clone().unwrap_or_default();
        let mut shown: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("unexpected `imagetools inspect` output for {reference}: {e}"))?;
        let digest = shown["digest"].as_str().unwrap_or_default().to_string();
        if !digest.starts_with("sha256:") {
            return Err(format!(
                "`imagetools inspect` gave no digest for {reference}"
            ));
        }
        let config = config_for(shown["image"].take(), &platform).ok_or_else(|| {
            let wanted = [
                platform.os.as_str(),
                &platform.architecture,
                &platform.variant,
            ];
            let wanted = wanted.iter().filter(|s| !s.is_empty()).copied();
            let wanted: Vec<&str> = wanted.collect();
            format!("the image {reference} has no {} variant", wanted.join("/"))
        })?;
        Ok((digest, config.to_string().into_bytes()))
    }
}

/// `.Image` is one config for a single-platform image, and a map platform → config for a
/// manifest list: the one whose os, architecture and variant match.
fn config_for(shown: Value, platform: &pb::Platform) -> Option<Value> {
    if shown.get("architecture").is_some() || shown.get("config").is_some() {
        return matches(&shown, platform).then_some(shown);
    }
    let Value::Object(by_platform) = shown else {
        return None;
    };
    by_platform.into_values().find(|c| matches(c, platform))
}

fn matches(config: &Value, platform: &pb::Platform) -> bool {
    let field = |name: &str| config.get(name).and_then(Value::as_str).unwrap_or("");
    let arch_matches =
        platform.architecture.is_empty() || field("architecture") == platform.architecture;
    let os_matches = platform.os.is_empty() || field("os") == platform.os;
    let variant = field("variant");
    // arm64 images often leave out `v8`; an asked-for variant must match when both say one.
    let variant_matches =
        platform.variant.is_empty() || variant.is_empty() || variant == platform.variant;
    arch_matches && os_matches && variant_matches
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn platform(os: &str, architecture: &str, variant: &str) -> pb::Platform {
        pb::Platform {
            os: os.into(),
            architecture: architecture.into(),
            variant: variant.into(),
            ..Default::default()
        }
    }

    #[test]
    fn picks_the_platform_of_a_manifest_list() {
        let list = json!({
            "linux/amd64": {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["amd"]}},
            "linux/arm/v7": {"architecture": "arm", "os": "linux", "variant": "v7", "config": {"Cmd": ["v7"]}},
            "linux/arm64": {"architecture": "arm64", "os": "linux", "config": {"Cmd": ["arm64"]}},
        });
        let arm64 = config_for(list.clone(), &platform("linux", "arm64", "v8")).unwrap();
        assert_eq!(arm64["config"]["Cmd"][0], "arm64");
        let v7 = config_for(list.clone(), &platform("linux", "arm", "v7")).unwrap();
        assert_eq!(v7["config"]["Cmd"][0], "v7");
        assert!(config_for(list, &platform("linux", "arm", "v6")).is_none());
    }

    #[test]
    fn a_single_platform_image_must_match_too() {
        let one = json!({"architecture": "amd64", "os": "linux", "config": {"Env": ["A=1"]}});
        assert!(config_for(one.clone(), &platform("linux", "amd64", "")).is_some());
        assert!(config_for(one, &platform("linux", "arm64", "")).is_none());
    }
}
