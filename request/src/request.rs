//! What the client asked for, parsed once from the frontend's options: every option key kiln
//! reads is named here, with its type, and nothing else reads option strings.

use crate::options::{CacheImport, Options};
use serde::Deserialize;
use std::collections::BTreeMap;

const DEFAULT_FILENAME: &str = "kiln.yaml";

/// The options with a single value (`key=value`), as BuildKit's clients send them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Flat {
    requestid: Option<String>,
    filename: Option<String>,
    target: Option<String>,
    platform: Option<String>,
    #[serde(rename = "no-cache")]
    no_cache: Option<String>,
    #[serde(rename = "image-resolve-mode")]
    image_resolve_mode: Option<String>,
    /// The frontend's own image, which also runs kiln's tools (zip unpacking).
    source: Option<String>,
    /// An Engine API client's context tar, served by the daemon over HTTP.
    context: Option<String>,
    dockerfilekey: Option<String>,
    contextkey: Option<String>,
}

/// One build request (or subrequest).
#[derive(Clone, Debug)]
pub struct Request {
    /// `requestid`: a subrequest (`frontend.outline`, ...) instead of a build.
    pub subrequest: Option<String>,
    pub filename: String,
    pub target: Option<String>,
    /// The platforms asked for; `[""]` for the default one.
    pub platforms: Vec<String>,
    /// `build-arg:NAME`, without `BUILDKIT_SYNTAX` (it chose this frontend; it is not an arg
    /// of the file). They also set an HCL file's variables.
    pub build_args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    /// `context:NAME` named contexts.
    pub named_contexts: BTreeMap<String, String>,
    /// `no-cache` with no value: every op. (A list of stages is not supported.)
    pub no_cache: bool,
    pub image_resolve_mode: Option<String>,
    pub tool_image: Option<String>,
    pub context_tar_url: Option<String>,
    /// The session locals the build file and the context come from.
    pub dockerfile_key: String,
    pub context_key: String,
    pub cache_imports: Vec<CacheImport>,
    pub session_id: Option<String>,
    pub worker_platform: Option<String>,
}

fn nonempty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

impl Request {
    /// `kiln check` of the build file for this request: the build args also set an HCL
    /// file's variables.
    pub fn check(&self, source: &[u8]) -> kiln_dsl::Checked {
        let options = kiln_dsl::check::Options {
            vars: kiln_dsl::hcl_front::HclOptions {
                vars: self.build_args.clone(),
                ..Default::default()
            },
            ..Default::default()
        };
        let limits = kiln_dsl::Limits::default();
        let mut checked = kiln_dsl::check_bytes_with(&self.filename, source, &limits, &options);
        if let Some(model) = &checked.model {
            let names = self.build_args.keys().map(String::as_str);
            let unknown = kiln_dsl::check::unknown_build_args(model, names);
            checked.diagnostics.extend(unknown);
        }
        checked
    }

    /// How to lower for this request on a daemon with `worker_platform` and `caps`.
    pub fn lower_options(
        &self,
        worker_platform: Option<String>,
        caps: kiln_lowering::CapSet,
        dockerignore: Vec<String>,
    ) -> kiln_lowering::LowerOptions {
        kiln_lowering::LowerOptions {
            target: self.target.clone(),
            build_platform: (self.worker_platform.clone())
                .or(worker_platform)
                .unwrap_or_else(|| "linux/amd64".into()),
            build_args: self.build_args.clone(),
            labels: self.labels.clone(),
            caps,
            session_id: self.session_id.clone(),
            dockerignore,
            context_tar_url: self.context_tar_url.clone(),
            named_contexts: self.named_contexts.clone(),
            image_resolve_mode: self.image_resolve_mode.clone(),
            no_cache: self.no_cache,
            // The image BuildKit runs as this frontend also carries kiln's tools.
            tool_image: self.tool_image.clone(),
            ..Default::default()
        }
    }

    pub fn parse(options: &Options) -> Result<Request, String> {
        let flat: Flat = serde_json::to_value(&options.opts)
            .and_then(serde_json::from_value)
            .map_err(|e| format!("the frontend's options are malformed: {e}"))?;
        let mut build_args = options.with_prefix("build-arg:");
        build_args.remove("BUILDKIT_SYNTAX");
        let platforms = match nonempty(flat.platform) {
            Some(list) => list.split(',').map(|p| p.trim().to_string()).collect(),
            None => vec![String::new()],
        };
        Ok(Request {
            subrequest: nonempty(flat.requestid),
            filename: nonempty(flat.filename).unwrap_or_else(|| DEFAULT_FILENAME.into()),
            target: nonempty(flat.target),
            platforms,
            build_args,
            labels: options.with_prefix("label:"),
            named_contexts: options.with_prefix("context:"),
            no_cache: flat.no_cache.is_some_and(|v| v.is_empty()),
            image_resolve_mode: nonempty(flat.image_resolve_mode),
            tool_image: nonempty(flat.source),
            context_tar_url: nonempty(flat.context)
                .filter(|c| c.starts_with("http://") || c.starts_with("https://")),
            dockerfile_key: nonempty(flat.dockerfilekey).unwrap_or_else(|| "dockerfile".into()),
            context_key: nonempty(flat.contextkey).unwrap_or_else(|| "context".into()),
            cache_imports: options.cache_imports()?,
            session_id: options.session_id.clone(),
            worker_platform: options.worker_platform.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(opts: &[(&str, &str)]) -> Request {
        let vars = opts
            .iter()
            .enumerate()
            .map(|(i, (k, v))| (format!("BUILDKIT_FRONTEND_OPT_{i}"), format!("{k}={v}")));
        Request::parse(&Options::from_vars(vars)).unwrap()
    }

    #[test]
    fn what_docker_20_10_sends() {
        // Always present there: cache-from and image-resolve-mode, often empty values.
        let r = parse(&[
            ("filename", "kiln.yaml"),
            ("cache-from", ""),
            ("image-resolve-mode", "default"),
            ("add-hosts", ""),
            ("build-arg:BUILDKIT_SYNTAX", "localhost:5000/kiln:dev"),
            ("build-arg:V", "2"),
            ("label:a", "b"),
            ("no-cache", ""),
        ]);
        assert_eq!(r.filename, "kiln.yaml");
        assert_eq!(r.platforms, [""]);
        assert_eq!(r.build_args, BTreeMap::from([("V".into(), "2".into())]));
        assert_eq!(r.labels["a"], "b");
        assert!(r.no_cache);
        assert!(r.cache_imports.is_empty());
        assert_eq!(r.image_resolve_mode.as_deref(), Some("default"));
        assert_eq!(r.dockerfile_key, "dockerfile");
    }

    #[test]
    fn platforms_targets_contexts_and_defaults() {
        let r = parse(&[
            ("platform", "linux/amd64, linux/arm64"),
            ("target", "all"),
            ("context", "http://build-context-x"),
            ("context:assets", "local:assets"),
            ("requestid", "frontend.outline"),
        ]);
        assert_eq!(r.platforms, ["linux/amd64", "linux/arm64"]);
        assert_eq!(r.target.as_deref(), Some("all"));
        assert_eq!(r.context_tar_url.as_deref(), Some("http://build-context-x"));
        assert_eq!(r.named_contexts["assets"], "local:assets");
        assert_eq!(r.subrequest.as_deref(), Some("frontend.outline"));
        assert_eq!(r.filename, "kiln.yaml");
        assert!(!r.no_cache);
        // A git or other non-HTTP context is not a tar body.
        assert_eq!(parse(&[("context", "git://x")]).context_tar_url, None);
    }
}
