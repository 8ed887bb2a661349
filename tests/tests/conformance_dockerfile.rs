//! The Dockerfile conformance corpus (tests/conformance/dockerfile, see its README): each
//! case's Dockerfile (BuildKit's own frontend) and kiln twin (the kiln frontend image, from
//! `KILN_FRONTEND_IMAGE`, default `localhost:5000/kiln:dev`) built on every engine of the
//! bench, and the two images compared file by file and config field by field. A case's
//! status says what is asserted: `pass` no difference, `differs` exactly the documented
//! ones, `known_failure` still some (so a fix forces the status to flip).
//!
//! Cases run in parallel (`KILN_CONFORMANCE_JOBS`, default 4) and every failure is reported
//! at the end; `KILN_CONFORMANCE_CASES=a,b` runs only those cases.

use kiln_testbed::conformance::{Case, judge, load_corpus};
use kiln_testbed::{
    Build, EmptyBuildkitd, Engine, FileServer, GitRepo, Image, compare, unique_tag,
};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

mod common;

use common::frontend_image as frontend;

fn build(case: &Case, target: Option<&String>, file: &str, kiln: bool, served: &Served) -> Build {
    let mut build_args = case.build_args.clone();
    build_args.extend(served.args.iter().cloned());
    Build {
        file: Some(PathBuf::from(file)),
        frontend: kiln.then(frontend),
        target: target.cloned(),
        build_args,
        secrets: case
            .secrets
            .iter()
            .map(|s| match s.split_once(",src=") {
                Some((id, src)) => format!("{id},src={}", case.dir.join(src).display()),
                None => s.clone(),
            })
            .collect(),
        contexts: case.contexts.clone(),
        allow: case.allow.clone(),
        extra: case.flags.clone(),
        ..Build::new(&case.dir)
    }
}

/// What a case's builds read from servers started for it, and the build args naming them.
struct Served {
    _servers: Vec<FileServer>,
    args: Vec<(String, String)>,
}

impl Served {
    fn start(case: &Case) -> Served {
        let mut served = Served {
            _servers: Vec::new(),
            args: Vec::new(),
        };
        if let Some(dir) = &case.serve {
            let server = serve_files(&case.dir.join(dir));
            let url = format!("http://127.0.0.1:{}", server.port);
            served.args.push(("SERVER".into(), url));
            served._servers.push(server);
        }
        if let Some(dir) = &case.git {
            let (server, args) = serve_git(&case.dir.join(dir), &case.git_format);
            served.args.extend(args);
            served._servers.push(server);
        }
        served
    }
}

/// The files of `dir` (a copy, so the server's writes never touch the corpus) over HTTP.
fn serve_files(dir: &Path) -> FileServer {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
    }
    FileServer::serve(copy)
}

/// A repository whose commits are the subdirectories of `dir`, each tagged with its name,
/// served over HTTP; with the build args `GIT` (its URL) and `COMMIT_<TAG>` (the hashes).
fn serve_git(dir: &Path, object_format: &str) -> (FileServer, Vec<(String, String)>) {
    let repo = GitRepo::new(object_format);
    let mut tags: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    tags.sort();
    let mut args = Vec::new();
    for tree in tags {
        let tag = tree.file_name().unwrap().to_string_lossy().into_owned();
        replace_tree(&repo.path(), &tree);
        let commit = repo.commit(&tag);
        repo.git(&["tag", &tag]);
        let name = tag.to_uppercase().replace(['.', '-'], "_");
        args.push((format!("COMMIT_{name}"), commit));
    }
    let server = repo.serve();
    args.push((
        "GIT".into(),
        format!("http://127.0.0.1:{}/repo/.git", server.port),
    ));
    (server, args)
}

/// Make the work tree `work` hold exactly the (flat) files of `tree`, beside `.git`.
fn replace_tree(work: &Path, tree: &Path) {
    for entry in std::fs::read_dir(work).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n != ".git") {
            std::fs::remove_file(&path).unwrap();
        }
    }
    for entry in std::fs::read_dir(tree).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, work.join(path.file_name().unwrap())).unwrap();
    }
}

fn build_and_save(engine: &Engine, build: &Build) -> Result<Image, String> {
    let tag = unique_tag("kiln-conformance/df");
    engine.build_image(build, &tag)?;
    let image = engine.save(&tag);
    engine.remove_image(&tag);
    Ok(image)
}

/// What went wrong with one case on one engine, or `None` when it met its status.
fn run_case(engine: &Engine, case: &Case) -> Option<String> {
    let targets: Vec<Option<&String>> = match case.targets.as_slice() {
        [] => vec![None],
        some => some.iter().map(Some).collect(),
    };
    let served = Served::start(case);
    let failures: Vec<String> = targets
        .into_iter()
        .filter_map(|target| {
            let failure = run_target(engine, case, target, &served)?;
            Some(match target {
                Some(t) => format!("target {t}: {failure}"),
                None => failure,
            })
        })
        .collect();
    (!failures.is_empty()).then(|| failures.join("\n"))
}

fn run_target(
    engine: &Engine,
    case: &Case,
    target: Option<&String>,
    served: &Served,
) -> Option<String> {
    let ours = build_and_save(engine, &build(case, target, "kiln.yaml", true, served));
    let twin = build_and_save(engine, &build(case, target, "Dockerfile", false, served));
    let status = case.status_on(engine.name);
    let twin = match twin {
        Ok(t) => t,
        Err(log) => return Some(format!("the Dockerfile twin failed to build:\n{log}")),
    };
    let diffs: Vec<String> = match &ours {
        Ok(ours) => case
            .counted(compare(ours, &twin))
            .iter()
            .map(ToString::to_string)
            .collect(),
        Err(log) => vec![format!("the kiln build failed: {}", last_lines(log, 12))],
    };
    judge(status, &case.expected, &diffs)
}

fn last_lines(log: &str, n: usize) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The bench's buildkitd grants no insecure entitlement (as buildkitd by default): cases
/// that ask for one run on a second buildkitd, started like it but allowing both.
fn entitled_buildkitd() -> EmptyBuildkitd {
    EmptyBuildkitd::start_with(&[
        "--allow-insecure-entitlement",
        "network.host",
        "--allow-insecure-entitlement",
        "security.insecure",
    ])
}

#[test]
fn dockerfile_corpus_on_every_engine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/dockerfile");
    let mut cases = load_corpus(&root).unwrap_or_else(|e| panic!("{e}"));
    if let Ok(only) = std::env::var("KILN_CONFORMANCE_CASES") {
        let only: Vec<&str> = only.split(',').collect();
        cases.retain(|c| only.contains(&c.name.as_str()));
    }
    let jobs: usize = std::env::var("KILN_CONFORMANCE_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(4);
    let engines = Engine::all();
    let entitled = cases
        .iter()
        .any(|c| !c.allow.is_empty() && c.runs_on("buildkitd"))
        .then(entitled_buildkitd);
    let work: Vec<(&Engine, &Case)> = engines
        .iter()
        .flat_map(|e| {
            cases
                .iter()
                .filter(|c| c.runs_on(e.name))
                .map(move |c| (e, c))
        })
        .map(|(e, c)| match &entitled {
            Some(daemon) if e.name == "buildkitd" && !c.allow.is_empty() => (&daemon.engine, c),
            _ => (e, c),
        })
        .collect();
    let queue = Mutex::new(work.iter());
    let failures = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().next();
                    let Some((engine, case)) = next else { break };
                    let t = Instant::now();
                    let run = std::panic::AssertUnwindSafe(|| run_case(engine, case));
                    let failure = std::panic::catch_unwind(run)
                        .unwrap_or_else(|_| Some("panicked (its message is above)".into()));
                    eprintln!(
                        "[{}] {}: {} ({:.1} s)",
                        engine.name,
                        case.name,
                        if failure.is_some() { "FAILED" } else { "ok" },
                        t.elapsed().as_secs_f64()
                    );
                    if let Some(f) = failure {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("[{}] {}: {f}", engine.name, case.name));
                    }
                }
            });
        }
    });
    eprintln!(
        "{} case runs on {} engines in {:.1} s",
        work.len(),
        engines.len(),
        started.elapsed().as_secs_f64()
    );
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
