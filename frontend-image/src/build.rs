//! One frontend run: parse the request, read the build file and `.dockerignore` through the
//! gateway, check the file, answer a subrequest or resolve base images, lower each platform,
//! solve, and describe the result.

use crate::errors::{self, INVALID_ARGUMENT};
use crate::gateway::Gateway;
use crate::images::GatewayResolver;
use crate::result::{cannot_lower, describe_result};
use crate::{lint, report, subrequests};
use kiln_dsl::{BuildFile, Checked};
use kiln_lowering::{
    Build, CapSet, CompileError, Lowered, Resolved, Selection, lower_resolved, resolve_base_images,
    select,
};
use kiln_proto::{gateway as gw, rpc};
use kiln_request::options::Options;
use kiln_request::request::Request;

pub async fn build(gateway: &mut Gateway, options: &Options) -> Result<gw::Result, rpc::Status> {
    // The test hook of main.rs's panic handling (set in an image built for that test only).
    if std::env::var_os("KILN_FRONTEND_TEST_PANIC").is_some() {
        panic!("KILN_FRONTEND_TEST_PANIC is set: panicking as asked");
    }
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
    // Nothing before lowering depends on `.dockerignore`: it is read while the build file is
    // read, checked and its base images resolved (round trips to the client and registry).
    let mut other = gateway.clone();
    let (prepared, dockerignore) = tokio::join!(
        prepare(gateway, &request),
        crate::load::dockerignore(&mut other, &request)
    );
    let (checked, mut resolved) = match prepared? {
        Prepared::Answer(answer) => return Ok(answer),
        Prepared::Build { checked, resolved } => (checked, *resolved),
    };
    resolved.options.dockerignore = dockerignore?;
    let model = checked.model.as_ref().expect("checked returns a model");
    let compiled = lower_resolved(model, &checked.file, &resolved)
        .map_err(|d| cannot_lower(&checked.file, &d, &request.filename))?;
    crate::timings::mark("lower");
    if let Selection::Group { name, targets } = &compiled.selection
        && targets.len() > 1
    {
        crate::group_hint::show(gateway, name, targets).await;
    }
    let multi = compiled.multi;
    let results = solve_all(gateway, compiled.builds, &request.filename).await?;
    crate::timings::mark("solve");
    Ok(describe_result(gateway, results, multi))
}

/// What the build file asks for, once read and checked: an answer (a subrequest), or a
/// build with its base images resolved.
enum Prepared {
    Answer(gw::Result),
    // Boxed: both are large, and an answer is not.
    Build {
        checked: Box<Checked>,
        resolved: Box<Resolved>,
    },
}

/// Read and check the build file, then answer a subrequest or resolve the base images of
/// what it builds (the first half of the compile step; the caller lowers).
async fn prepare(gateway: &mut Gateway, request: &Request) -> Result<Prepared, rpc::Status> {
    let (source, load_digest) = crate::load::build_file(gateway, request).await?;
    crate::timings::mark("load");
    if request.subrequest.as_deref() == Some(lint::LINT) {
        let answer = lint::answer(&request.check(&source), &request.filename);
        return Ok(Prepared::Answer(answer));
    }
    let checked = check(request, &source)?;
    crate::timings::mark("check");
    let model = checked.model.as_ref().expect("checked returns a model");
    if let Some(asked) = &request.subrequest {
        return answer(asked, request, &checked, model).map(Prepared::Answer);
    }
    report::send_warnings(gateway, &checked.file, &checked.diagnostics, &load_digest).await;
    // `.dockerignore` comes later (the caller reads it meanwhile).
    let caps = CapSet::Only(gateway.llb_caps.clone());
    let mut base = request.lower_options(gateway.worker_platform.clone(), caps, Vec::new());
    base.context_ignores = crate::load::named_context_ignores(gateway, request).await?;
    let mut resolver = GatewayResolver::new(gateway, model);
    let platforms = &request.platforms;
    let resolved = resolve_base_images(model, &checked.file, &base, platforms, &mut resolver)
        .await
        .map_err(|e| compile_failure(e, &checked, request))?;
    crate::timings::mark("resolve");
    Ok(Prepared::Build {
        checked: Box::new(checked),
        resolved: Box::new(resolved),
    })
}

/// The status of a compile step that failed.
fn compile_failure(
    error: CompileError<rpc::Status>,
    checked: &Checked,
    request: &Request,
) -> rpc::Status {
    match error {
        CompileError::Selection(message) => errors::status(INVALID_ARGUMENT, message),
        CompileError::Lowering(d) => cannot_lower(&checked.file, &d, &request.filename),
        CompileError::Resolver(status) => status,
    }
}

/// Solve every build at once (a stage they share runs once); the first failure, named by
/// its kiln step, fails the request.
async fn solve_all(
    gateway: &mut Gateway,
    builds: Vec<Build>,
    filename: &str,
) -> Result<Vec<(String, Lowered, String)>, rpc::Status> {
    let mut solves = tokio::task::JoinSet::new();
    for (i, build) in builds.iter().enumerate() {
        if build.lowered.definition.def.is_empty() {
            continue; // an empty filesystem (a scratch stage with no steps): ref ""
        }
        let mut gateway = gateway.clone();
        let definition = build.lowered.definition.clone();
        solves.spawn(async move { (i, gateway.solve(definition, true).await) });
    }
    let mut ids = vec![String::new(); builds.len()];
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
        return Err(errors::solve_failure(
            &e,
            &builds[i].lowered.definition,
            filename,
        ));
    }
    Ok(builds
        .into_iter()
        .zip(ids)
        .map(|(build, id)| (build.key, build.lowered, id))
        .collect())
}

/// `kiln check` of the build file; the build args also set an HCL file's variables.
fn check(request: &Request, source: &[u8]) -> Result<Checked, rpc::Status> {
    let checked = request.check(source);
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
