//! One frontend run: parse the request, read the build file and `.dockerignore` through the
//! gateway, check the file, answer a subrequest or resolve base images, lower each platform,
//! solve, and describe the result.

use crate::errors::{self, INVALID_ARGUMENT};
use crate::gateway::Gateway;
use crate::images::resolve_base_images;
use crate::load::build_file_and_ignores;
use crate::options::Options;
use crate::request::Request;
use crate::result::{cannot_lower, describe_result};
use crate::{group, report, subrequests};
use kiln_dsl::{BuildFile, Checked, Limits};
use kiln_lowering::{CapSet, LowerOptions, Lowered, Selection, lower, select};
use kiln_proto::{gateway as gw, rpc};

pub async fn build(gateway: &mut Gateway, options: &Options) -> Result<gw::Result, rpc::Status> {
    let request = Request::parse(options).map_err(|m| errors::status(INVALID_ARGUMENT, m))?;
    if let Some(asked) = &request.subrequest {
        if let Some(answer) = subrequests::answer_static(asked) {
            return Ok(answer);
        }
        subrequests::refuse_unknown(asked)?;
    }
    gateway.cache_imports = request
        .cache_imports
        .iter()
        .map(|c| gw::CacheOptionsEntry {
            r#type: c.kind.clone(),
            attrs: c.attrs.clone().into_iter().collect(),
        })
        .collect();
    let ((source, load_digest), dockerignore) = build_file_and_ignores(gateway, &request).await?;
    let checked = check(&request, &source)?;
    let model = checked.model.as_ref().expect("checked returns a model");
    if let Some(asked) = &request.subrequest {
        return answer(asked, &request, &checked, model);
    }
    report::send_warnings(gateway, &checked.file, &checked.diagnostics, &load_digest).await;
    let base = lower_options(gateway, &request, dockerignore);
    let selection =
        select(model, base.target.as_deref()).map_err(|m| errors::status(INVALID_ARGUMENT, m))?;
    if let Selection::Group { targets, .. } = selection {
        let group = group::Group {
            targets,
            platforms: &request.platforms,
        };
        return group::build(
            gateway,
            model,
            &checked.file,
            &base,
            group,
            &request.filename,
        )
        .await;
    }
    let mut results: Vec<(String, Lowered, String)> = Vec::new();
    for platform in &request.platforms {
        let mut options = base.clone();
        options.platform = (!platform.is_empty()).then(|| platform.clone());
        resolve_base_images(gateway, model, &checked.file, &mut options).await?;
        let lowered = lower(model, &checked.file, &options)
            .map_err(|d| cannot_lower(&checked.file, &d, &request.filename))?;
        let solved = if lowered.definition.def.is_empty() {
            String::new() // an empty filesystem (a scratch stage with no steps)
        } else {
            gateway
                .solve(lowered.definition.clone(), true)
                .await
                .map_err(|e| errors::solve_failure(&e, &lowered.definition, &request.filename))?
        };
        results.push((lowered.platform.clone(), lowered, solved));
    }
    Ok(describe_result(
        gateway,
        results,
        request.platforms.len() > 1,
    ))
}

/// `kiln check` of the build file; the build args also set an HCL file's variables.
fn check(request: &Request, source: &[u8]) -> Result<Checked, rpc::Status> {
    let options = kiln_dsl::check::Options {
        vars: kiln_dsl::hcl_front::HclOptions {
            vars: request.build_args.clone(),
            env: None,
        },
        ..Default::default()
    };
    let checked =
        kiln_dsl::check_bytes_with(&request.filename, source, &Limits::default(), &options);
    if checked.has_errors() || checked.model.is_none() {
        return Err(report::check_failure(
            &checked.file,
            &checked.diagnostics,
            &request.filename,
        ));
    }
    Ok(checked)
}

/// `--call=targets` and `--call=outline`.
fn answer(
    asked: &str,
    request: &Request,
    checked: &Checked,
    model: &BuildFile,
) -> Result<gw::Result, rpc::Status> {
    if asked == subrequests::TARGETS {
        let default = match select(model, None) {
            Ok(Selection::One(name)) | Ok(Selection::Group { name, .. }) => Some(name),
            Err(_) => None,
        };
        return Ok(subrequests::targets(
            model,
            &checked.file,
            default.as_deref(),
        ));
    }
    match select(model, request.target.as_deref())
        .map_err(|m| errors::status(INVALID_ARGUMENT, m))?
    {
        Selection::One(target) => Ok(subrequests::outline(
            model,
            &checked.file,
            &target,
            &request.build_args,
        )),
        Selection::Group { name, .. } => Err(errors::status(
            INVALID_ARGUMENT,
            format!("`{name}` is a group: ask for the outline of one of its targets (--target)"),
        )),
    }
}

/// How to lower for this request on this daemon.
fn lower_options(gateway: &Gateway, request: &Request, dockerignore: Vec<String>) -> LowerOptions {
    LowerOptions {
        target: request.target.clone(),
        build_platform: request
            .worker_platform
            .clone()
            .or_else(|| gateway.worker_platform.clone())
            .unwrap_or_else(|| "linux/amd64".into()),
        build_args: request.build_args.clone(),
        labels: request.labels.clone(),
        caps: CapSet::Only(gateway.llb_caps.clone()),
        session_id: request.session_id.clone(),
        dockerignore,
        context_tar_url: request.context_tar_url.clone(),
        named_contexts: request.named_contexts.clone(),
        image_resolve_mode: request.image_resolve_mode.clone(),
        no_cache: request.no_cache,
        // The image BuildKit runs as this frontend also carries kiln's tools.
        tool_image: request.tool_image.clone(),
        ..Default::default()
    }
}
