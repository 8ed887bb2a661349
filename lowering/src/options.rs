//! What a lowering is given (`LowerOptions`) and the base images it reports: plain data,
//! below every other layer.

use crate::caps::CapSet;
use kiln_proto::pb;
use std::collections::BTreeMap;

/// Stay well below the 4 MiB gRPC message limit of BuildKit before v0.14.
pub const MAX_SOLVE_REQUEST_BYTES: usize = 3 << 20;

/// What the builder knows, and what the user asked for.
#[derive(Clone, Debug)]
pub struct LowerOptions {
    /// Target, stage or (later) group to build; default: see `select_target`.
    pub target: Option<String>,
    /// Platform to build for; default: the target's first platform, else `build_platform`.
    pub platform: Option<String>,
    /// The platform of the builder (`BUILDPLATFORM`).
    pub build_platform: String,
    /// `--build-arg NAME=VALUE`: the caller's explicit values, above everything else.
    pub build_args: BTreeMap<String, String>,
    /// Values for the file's args (`--var NAME=VALUE`): they replace the file's defaults,
    /// and a target's own `args` still win over them, as a variable override in bake
    /// changes a variable, not what a target sets (docs/format.md, "Which value an arg has").
    pub arg_values: BTreeMap<String, String>,
    /// `--label KEY=VALUE`, added to the image.
    pub labels: BTreeMap<String, String>,
    /// The builder's LLB caps.
    pub caps: CapSet,
    /// Configs of base images, keyed by normalized reference (`docker.io/library/alpine:3`).
    pub base_configs: BTreeMap<String, Vec<u8>>,
    /// The digests base images resolved to (normalized reference → `sha256:...`): a stage
    /// loads `reference@digest`, the image its config came from, as the Dockerfile frontend
    /// pins it (and BuildKit need not resolve the tag again while solving).
    pub base_digests: BTreeMap<String, String>,
    /// The client session that serves local directories (`BUILDKIT_SESSION_ID`).
    pub session_id: Option<String>,
    /// `.dockerignore` patterns of the main build context.
    pub dockerignore: Vec<String>,
    /// The main context is a tar the client sent in the request body, at this URL (the
    /// `context=http://build-context-...` option of Engine API builds).
    pub context_tar_url: Option<String>,
    /// Package managers found in base images (normalized reference → manager, `None` when
    /// the image has none), probed by the frontend. Images not listed were not probed.
    pub package_managers: BTreeMap<String, Option<kiln_dsl::model::PackageManager>>,
    /// Named contexts from the client (`context:NAME` options): `local:DIR` or
    /// `docker-image://REF`.
    pub named_contexts: BTreeMap<String, String>,
    /// `.dockerignore` patterns of named local contexts, by local name (`local:NAME`).
    pub context_ignores: BTreeMap<String, Vec<String>>,
    /// `image-resolve-mode` (`default`, `pull`, `local`).
    pub image_resolve_mode: Option<String>,
    /// Ignore the cache for every op.
    pub no_cache: bool,
    /// Attach the build file to the Definition so BuildKit errors can show it (skipped when
    /// the SolveRequest would come near 4 MiB, the limit of BuildKit before v0.14).
    pub attach_source: bool,
    /// The kiln frontend image, which also unpacks zip downloads (the frontend's own
    /// `source`); without it a zip download with `extract: true` is an error.
    pub tool_image: Option<String>,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions {
            target: None,
            platform: None,
            build_platform: "linux/amd64".into(),
            tool_image: None,
            build_args: BTreeMap::new(),
            arg_values: BTreeMap::new(),
            labels: BTreeMap::new(),
            caps: CapSet::All,
            base_configs: BTreeMap::new(),
            base_digests: BTreeMap::new(),
            session_id: None,
            dockerignore: Vec::new(),
            named_contexts: BTreeMap::new(),
            context_ignores: BTreeMap::new(),
            package_managers: BTreeMap::new(),
            context_tar_url: None,
            image_resolve_mode: None,
            no_cache: false,
            attach_source: true,
        }
    }
}

/// An image a stage starts from, with the source op that loads it (to probe its files).
#[derive(Clone, Debug, PartialEq)]
pub struct BaseImage {
    /// Normalized reference (`docker.io/library/alpine:3`).
    pub reference: String,
    pub op: pb::Op,
}
