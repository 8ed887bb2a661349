//! One frontend run: read the build file and `.dockerignore` through the gateway, check the
//! file, resolve base images, lower each platform, solve, and describe the result.

use crate::errors::{self, INVALID_ARGUMENT};
use crate::gateway::{Gateway, single_op_definition};
use crate::group;
use crate::options::Options;
use crate::report;
use crate::subrequests;
use kiln_dsl::model::PackageManager;
use kiln_dsl::{Limits, render};
use kiln_lowering::{CapSet, LowerOptions, Lowered, Selection, lower, select};
use kiln_proto::{gateway as gw, pb, rpc};
use std::collections::BTreeMap;

const DEFAULT_FILENAME: &str = "kiln.yaml";

pub async fn build(gateway: &mut Gateway, options: &Options) -> Result<gw::Result, rpc::Status> {
    let request = options.get("requestid").filter(|r| !r.is_empty());
    if let Some(request) = request {
        if let Some(answer) = subrequests::answer_static(request) {
            return Ok(answer);
        }
        if request != subrequests::TARGETS && request != subrequests::OUTLINE {
            return Err(errors::status(
                errors::UNIMPLEMENTED,
                format!(
                    "kiln does not answer the subrequest `{request}`; it answers {}, {}, {} and {}",
                    subrequests::DESCRIBE,
                    subrequests::TARGETS,
                    subrequests::OUTLINE,
                    subrequests::SCHEMA
                ),
            ));
        }
    }
    gateway.cache_imports = options
        .cache_imports()
        .map_err(|m| errors::status(INVALID_ARGUMENT, m))?
        .into_iter()
        .map(|c| gw::CacheOptionsEntry {
            r#type: c.kind,
            attrs: c.attrs.into_iter().collect(),
        })
        .collect();
    let filename = options
        .get("filename")
        .filter(|f| !f.is_empty())
        .unwrap_or(DEFAULT_FILENAME)
        .to_string();
    // Engine API clients (docker build with a tar body, bollard) send the context as a tar the
    // daemon serves over HTTP; the build file is inside it, and they apply .dockerignore.
    let context_tar_url = options
        .get("context")
        .filter(|c| c.starts_with("http://") || c.starts_with("https://"))
        .map(str::to_string);
    let ((source, load_digest), dockerignore) = match &context_tar_url {
        Some(url) => (
            read_from_tar_context(gateway, url, &filename).await?,
            Vec::new(),
        ),
        None => {
            // Two round trips at once: the file and `.dockerignore` are independent.
            let mut other = gateway.clone();
            let (source, dockerignore) = tokio::join!(
                read_build_file(gateway, options, &filename),
                read_dockerignore(&mut other, options)
            );
            (source?, dockerignore)
        }
    };

    // BUILDKIT_SYNTAX chose this frontend; it is not an arg of the file. The build args also
    // set an HCL file's variables.
    let mut build_args = options.with_prefix("build-arg:");
    build_args.remove("BUILDKIT_SYNTAX");
    let check_options = kiln_dsl::check::Options {
        vars: kiln_dsl::hcl_front::HclOptions {
            vars: build_args.clone(),
            env: None,
        },
        ..Default::default()
    };
    let checked =
        kiln_dsl::check_bytes_with(&filename, &source, &Limits::default(), &check_options);
    if checked.has_errors() || checked.model.is_none() {
        return Err(report::check_failure(
            &checked.file,
            &checked.diagnostics,
            &filename,
        ));
    }
    if request.is_none() {
        report::send_warnings(gateway, &checked.file, &checked.diagnostics, &load_digest).await;
    }
    let model = checked.model.as_ref().expect("checked above");
    if let Some(request) = request {
        let asked = options.get("target").filter(|t| !t.is_empty());
        let selection = select(model, asked);
        let default = match select(model, None) {
            Ok(Selection::One(name)) | Ok(Selection::Group { name, .. }) => Some(name),
            Err(_) => None,
        };
        if request == subrequests::TARGETS {
            return Ok(subrequests::targets(
                model,
                &checked.file,
                default.as_deref(),
            ));
        }
        return match selection.map_err(|m| errors::status(INVALID_ARGUMENT, m))? {
            Selection::One(target) => Ok(subrequests::outline(
                model,
                &checked.file,
                &target,
                &build_args,
            )),
            Selection::Group { name, .. } => Err(errors::status(
                INVALID_ARGUMENT,
                format!(
                    "`{name}` is a group: ask for the outline of one of its targets (--target)"
                ),
            )),
        };
    }

    let platforms: Vec<String> = match options.get("platform").filter(|p| !p.is_empty()) {
        Some(list) => list.split(',').map(|p| p.trim().to_string()).collect(),
        None => vec![String::new()],
    };
    let default_platform = options
        .worker_platform
        .clone()
        .or_else(|| gateway.worker_platform.clone())
        .unwrap_or_else(|| "linux/amd64".into());
    let base = LowerOptions {
        target: options
            .get("target")
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        build_platform: default_platform.clone(),
        build_args,
        labels: options.with_prefix("label:"),
        caps: CapSet::Only(gateway.llb_caps.clone()),
        session_id: options.session_id.clone(),
        dockerignore,
        context_tar_url,
        named_contexts: options.with_prefix("context:"),
        image_resolve_mode: options
            .get("image-resolve-mode")
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        no_cache: options.get("no-cache").is_some_and(|v| v.is_empty()),
        // The image BuildKit runs as this frontend also carries kiln's tools.
        tool_image: options
            .get("source")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        ..Default::default()
    };

    if let Selection::Group { targets, .. } =
        select(model, base.target.as_deref()).map_err(|m| errors::status(INVALID_ARGUMENT, m))?
    {
        let group = group::Group {
            targets,
            platforms: &platforms,
        };
        return group::build(gateway, model, &checked.file, &base, group, &filename).await;
    }
    let mut results: Vec<(String, Lowered, String)> = Vec::new();
    for platform in &platforms {
        let mut lower_options = base.clone();
        lower_options.platform = (!platform.is_empty()).then(|| platform.clone());
        resolve_base_images(gateway, model, &checked.file, &mut lower_options).await?;
        let lowered = lower(model, &checked.file, &lower_options)
            .map_err(|d| cannot_lower(&checked.file, &d, &filename))?;
        let solved = if lowered.definition.def.is_empty() {
            String::new() // an empty filesystem (a scratch stage with no steps)
        } else {
            gateway
                .solve(lowered.definition.clone(), true)
                .await
                .map_err(|e| errors::solve_failure(&e, &lowered.definition, &filename))?
        };
        results.push((lowered.platform.clone(), lowered, solved));
    }
    Ok(describe_result(gateway, results, platforms.len() > 1))
}

/// The build file, from the `dockerfile` local of the client session.
async fn read_build_file(
    gateway: &mut Gateway,
    options: &Options,
    filename: &str,
) -> Result<(Vec<u8>, String), rpc::Status> {
    let name = options
        .get("dockerfilekey")
        .filter(|k| !k.is_empty())
        .unwrap_or("dockerfile");
    let op = local_op(name, options, &[filename], &gateway.llb_caps);
    let definition = single_op_definition(
        &op,
        &format!("[internal] load build definition from {filename}"),
        &local_caps(options, &gateway.llb_caps),
    );
    let digest = head_digest(&definition);
    let solved = gateway.solve(definition, false).await.map_err(|e| {
        errors::status(
            e.code() as i32,
            format!("cannot load {filename}: {}", e.message()),
        )
    })?;
    let bytes = gateway.read_file(&solved, filename).await.map_err(|e| {
        errors::status(
            e.code() as i32,
            format!("cannot read the build file {filename}: {}", e.message()),
        )
    })?;
    Ok((bytes, digest))
}

/// The digest of a chain's last op (before the terminal one): the vertex the client shows
/// for it, which warnings attach to.
fn head_digest(definition: &pb::Definition) -> String {
    let ops = &definition.def;
    let head = ops.len().saturating_sub(2);
    ops.get(head)
        .map(|op| kiln_proto::digest(op))
        .unwrap_or_default()
}

/// The build file from a tar context: download it, unpack it, read the file.
async fn read_from_tar_context(
    gateway: &mut Gateway,
    url: &str,
    filename: &str,
) -> Result<(Vec<u8>, String), rpc::Status> {
    let load = format!("[internal] load build definition from {filename}");
    let definition = kiln_lowering::chain_definition(kiln_lowering::tar_context_ops(url, &load));
    let digest = head_digest(&definition);
    let solved = gateway.solve(definition, false).await.map_err(|e| {
        errors::status(
            e.code() as i32,
            format!("cannot load the build context: {}", e.message()),
        )
    })?;
    let bytes = gateway.read_file(&solved, filename).await.map_err(|e| {
        let message = format!(
            "cannot read the build file {filename} from the context: {}",
            e.message()
        );
        errors::status(e.code() as i32, message)
    })?;
    Ok((bytes, digest))
}

/// Patterns of the context's `.dockerignore` (none when there is no such file).
async fn read_dockerignore(gateway: &mut Gateway, options: &Options) -> Vec<String> {
    let name = options
        .get("contextkey")
        .filter(|k| !k.is_empty())
        .unwrap_or("context");
    let op = local_op(name, options, &[".dockerignore"], &gateway.llb_caps);
    let caps = local_caps(options, &gateway.llb_caps);
    let definition = single_op_definition(&op, "[internal] load .dockerignore", &caps);
    let Ok(solved) = gateway.solve(definition, false).await else {
        return Vec::new();
    };
    let Ok(bytes) = gateway.read_file(&solved, ".dockerignore").await else {
        return Vec::new();
    };
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// A small local source read in full: with the `none` differ, every file is sent again.
/// The default (metadata) differ keeps a file whose size and time match what an earlier sync
/// left in the daemon's shared copy, and clients such as buildctl share that copy between
/// directories: two builds of different kiln.yaml files of the same size, written in the same
/// moment, would otherwise read one file (seen on buildkitd with parallel builds).
fn local_op(
    name: &str,
    options: &Options,
    follow: &[&str],
    llb_caps: &std::collections::BTreeSet<String>,
) -> pb::Op {
    let mut attrs = BTreeMap::from([
        (
            "local.followpaths".to_string(),
            serde_json::to_string(follow).unwrap_or_default(),
        ),
        ("local.sharedkeyhint".to_string(), name.to_string()),
    ]);
    if let Some(session) = &options.session_id {
        attrs.insert("local.session".to_string(), session.clone());
    }
    if llb_caps.contains(DIFFER_CAP) {
        attrs.insert("local.differ".to_string(), "none".to_string());
    }
    pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{name}"),
            attrs,
        })),
        constraints: Some(pb::WorkerConstraints::default()),
        ..Default::default()
    }
}

const DIFFER_CAP: &str = "source.local.differ";

fn local_caps(
    options: &Options,
    llb_caps: &std::collections::BTreeSet<String>,
) -> Vec<&'static str> {
    let mut caps = vec![
        "source.local",
        "source.local.followpaths",
        "source.local.sharedkeyhint",
    ];
    if options.session_id.is_some() {
        caps.push("source.local.sessionid");
    }
    if llb_caps.contains(DIFFER_CAP) {
        caps.push(DIFFER_CAP);
    }
    caps
}

/// What the build starts from, learnt before lowering for real: the configs of its base
/// images (so their Env, WorkingDir, User, Entrypoint and Cmd are inherited), and for builds
/// that install packages without naming a manager, which manager each base image has.
/// A first, lenient lowering names the base images; then all are resolved (and probed) at
/// once into `options.base_configs` and `options.package_managers`. Images already there
/// are not asked for again (the targets of a group share them).
pub(crate) async fn resolve_base_images(
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
        .map_err(|e| {
            errors::status(
                e.code() as i32,
                format!("cannot resolve the image {reference}: {}", e.message()),
            )
        })?;
    let manager = match probe {
        true => Some(probe_manager(gateway, &base.op, reference).await?),
        false => None,
    };
    Ok((config, manager))
}

/// The error of a build that lowering refused: kiln's report of it.
pub(crate) fn cannot_lower(
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
    let image = gateway.solve(definition, false).await.map_err(|e| {
        errors::status(
            e.code() as i32,
            format!("cannot load the image {reference}: {}", e.message()),
        )
    })?;
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

/// The result BuildKit exports: one ref and its config, or one per platform with
/// `refs.platforms` describing them.
pub(crate) fn describe_result(
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
