//! One target's build on the Docker Engine: through `/build` (live status, every output),
//! or through the gRPC API when secrets are given; then tags and pushes.

use super::{Job, Shared, status, string_map, strings};
use bollard::Docker;
use bollard::grpc::build::{ImageBuildFrontendOptions, ImageBuildLoadInput};
use bollard::moby::buildkit::v1::StatusResponse;
use bollard::models::{BuildInfo, BuildInfoAux};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, BuilderVersion, ImageBuildOutput, PushImageOptionsBuilder,
    TagImageOptionsBuilder,
};
use futures_util::{Stream, StreamExt};
use std::collections::HashMap;
use std::path::Path;

fn build_args(shared: &Shared, job: &Job, caches: &EngineCaches) -> HashMap<String, String> {
    let mut args = super::target_build_args(&shared.vars, &job.target, &shared.frontend);
    if caches.inline {
        args.insert("BUILDKIT_INLINE_CACHE".into(), "1".into());
    }
    args
}

/// A target's caches as the Docker Engine's build API takes them: registry caches to import
/// (`cachefrom`, image references) and the inline cache to export (`BUILDKIT_INLINE_CACHE`).
/// Anything else needs a BuildKit client: `--builder`.
struct EngineCaches {
    from: Vec<String>,
    inline: bool,
}

fn engine_caches(job: &Job) -> Result<EngineCaches, String> {
    let needs_builder = |field: &str, entry: &str| {
        format!(
            "{}: {field} `{entry}`: the Docker Engine's build API imports registry caches and exports only the inline cache; build with --builder NAME (buildx) for this one",
            job.name
        )
    };
    let read = |entry: &str| {
        kiln_dsl::check::cache::attributes(entry).map_err(|e| format!("{}: {e}", job.name))
    };
    let mut caches = EngineCaches {
        from: Vec::new(),
        inline: false,
    };
    for entry in strings(&job.target["cache-from"]) {
        for attrs in read(&entry)? {
            match (attrs.get("type").map(String::as_str), attrs.get("ref")) {
                (Some("registry"), Some(reference)) => caches.from.push(reference.clone()),
                _ => return Err(needs_builder("cache-from", &entry)),
            }
        }
    }
    for entry in strings(&job.target["cache-to"]) {
        for attrs in read(&entry)? {
            match attrs.get("type").map(String::as_str) {
                Some("inline") => caches.inline = true,
                _ => return Err(needs_builder("cache-to", &entry)),
            }
        }
    }
    Ok(caches)
}

pub async fn build_one(shared: &Shared, job: &Job) -> Result<String, String> {
    let target = &job.target;
    let tags = strings(&target["tags"]);
    let platforms = strings(&target["platforms"]);
    if platforms.len() > 1 {
        return Err(format!(
            "{} platforms: the Docker Engine stores one platform per image; build them one at a time with --set {}.platforms=...",
            platforms.len(),
            job.name
        ));
    }
    let kind = target["output"]["type"]
        .as_str()
        .unwrap_or("image")
        .to_string();
    let dest = target["output"]["dest"].as_str().map(str::to_string);
    let caches = engine_caches(job)?;
    if !shared.secrets.is_empty() {
        if !caches.from.is_empty() {
            return Err("--secret with `cache-from`: the engine's gRPC build API takes no cache imports here; use --builder NAME".into());
        }
        return build_with_secrets(shared, job, &kind, &tags, &platforms, &caches).await;
    }
    let mut options = build_options(shared, job, &caches, platforms.first());
    let mut temp_tar = None;
    match kind.as_str() {
        "image" | "registry" => {
            if let Some(first) = tags.first() {
                options = options.t(first);
            }
        }
        "tar" => {
            let dest = dest.clone().ok_or("a tar output needs `dest`")?;
            options = options.outputs(ImageBuildOutput::Tar(dest));
        }
        "local" => {
            // bollard 0.21's local receiver drops symlinks and modes: take a tar, unpack it.
            let file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
            options = options.outputs(ImageBuildOutput::Tar(file.path().display().to_string()));
            temp_tar = Some(file);
        }
        other => return Err(format!("unknown output type `{other}`")),
    }
    let image_id = run_build(shared, job, options).await?;
    match kind.as_str() {
        "local" => {
            let dest = dest.ok_or("a local output needs `dest`")?;
            let file = temp_tar.ok_or("no tar output")?;
            unpack(file.path(), Path::new(&dest))?;
            Ok(format!("files in {dest}"))
        }
        "tar" => Ok(format!("tar in {}", dest.unwrap_or_default())),
        _ => {
            let id = image_id.ok_or(
                "the engine's build stream ended without the image id; the build may not have finished (see the engine's log)",
            )?;
            tag_and_push(shared, job, &id, &tags, kind == "registry").await?;
            Ok(if tags.is_empty() {
                id
            } else {
                format!("{id} {}", tags.join(" "))
            })
        }
    }
}

/// The `/build` options of a target, before its output is chosen.
fn build_options(
    shared: &Shared,
    job: &Job,
    caches: &EngineCaches,
    platform: Option<&String>,
) -> BuildImageOptionsBuilder {
    let build_args = build_args(shared, job, caches);
    let labels = string_map(&job.target["labels"]);
    let session = format!(
        "kiln-bake-{}-{}-{}",
        std::process::id(),
        job.index,
        job.name
    );
    let options = BuildImageOptionsBuilder::default()
        .dockerfile(&shared.file_in_tar)
        .target(&job.name)
        .buildargs(&build_args)
        .labels(&labels)
        .version(BuilderVersion::BuilderBuildKit)
        .session(&session)
        .nocache(shared.no_cache)
        .cachefrom(&caches.from)
        .rm(true);
    match platform {
        Some(platform) => options.platform(platform),
        None => options,
    }
}

/// Run one `/build`, feeding its status to the live view; the image id it reports.
async fn run_build(
    shared: &Shared,
    job: &Job,
    options: BuildImageOptionsBuilder,
) -> Result<Option<String>, String> {
    let body = bollard::body_full(shared.tar.clone());
    let stream = shared.docker.build_image(options.build(), None, Some(body));
    read_build_stream(stream, |status| {
        let mut progress = shared.progress.lock().expect("progress lock");
        progress.status(job.index, status);
    })
    .await
}

/// Read a `/build` response: each BuildKit status goes to `on_status`; the image id the
/// engine reports at the end, if it does (tar and local outputs have none).
async fn read_build_stream<S>(
    mut stream: S,
    mut on_status: impl FnMut(&StatusResponse),
) -> Result<Option<String>, String>
where
    S: Stream<Item = Result<BuildInfo, bollard::errors::Error>> + Unpin,
{
    let mut image_id = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(BuildInfo {
                aux: Some(BuildInfoAux::BuildKit(status)),
                ..
            }) => on_status(&status),
            Ok(BuildInfo {
                aux: Some(BuildInfoAux::Default(id)),
                ..
            }) => image_id = id.id,
            Ok(_) => {}
            Err(e) if is_spurious_stream_end(&e) => break,
            Err(e) => return Err(build_error(&e)),
        }
    }
    Ok(image_id)
}

/// bollard 0.21's JSON line decoder (bollard#560, fixed upstream after 0.21.1, the newest
/// release we can use) fails a complete response with "bytes remaining on stream" when the
/// engine's CRLF after the last message arrives in a later read than the message: it keeps a
/// lone `\r` and calls that a partial message at the end. A body really cut short is not
/// this error: the responses are chunked, and hyper reports an incomplete chunked body as an
/// error of its own. Anything a truncated build would lose is checked after: an image build
/// needs its id, a tar or local output is unpacked and read.
fn is_spurious_stream_end(error: &bollard::errors::Error) -> bool {
    matches!(error, bollard::errors::Error::IOError { err } if err.to_string() == "bytes remaining on stream")
}

/// Secrets reach a build only through the engine's gRPC API (bollard's Moby driver): the
/// result goes to the image store; the steps come from our own status client.
async fn build_with_secrets(
    shared: &Shared,
    job: &Job,
    kind: &str,
    tags: &[String],
    platforms: &[String],
    caches: &EngineCaches,
) -> Result<String, String> {
    if kind != "image" && kind != "registry" {
        return Err(format!(
            "--secret with a `{kind}` output: the engine's gRPC build API exports to its image store only; build to an image, or use `docker buildx build --secret ...`"
        ));
    }
    if !platforms.is_empty() {
        return Err("--secret with `platforms`: not supported by the engine's gRPC build API; drop the platform (the engine's own is used)".into());
    }
    let mut options = ImageBuildFrontendOptions::builder()
        .dockerfile(Path::new(&shared.file_in_tar))
        .target(&job.name)
        .nocache(shared.no_cache);
    for (k, v) in &build_args(shared, job, caches) {
        options = options.buildarg(k, v);
    }
    for (k, v) in string_map(&job.target["labels"]) {
        options = options.label(&k, &v);
    }
    for (id, source) in &shared.secrets {
        options = options.set_secret(id, source);
    }
    let name = tags
        .first()
        .cloned()
        .unwrap_or_else(|| format!("kiln-bake/{}:latest", job.name));
    // The engine's gRPC API streams no progress itself: follow the build's status ourselves.
    let reference = bollard::grpc::BuildRef::random();
    let follower = match status::control_client(&shared.host).await {
        Ok(client) => {
            let progress = shared.progress.clone();
            let index = job.index;
            let id: String = reference.as_ref().to_string();
            Some(tokio::spawn(status::follow(client, id, move |s| {
                progress.lock().expect("progress lock").status(index, s)
            })))
        }
        Err(why) => {
            shared.note(
                job.index,
                &format!("building with secrets, without live steps: {why}"),
            );
            None
        }
    };
    let driver = bollard::grpc::driver::moby::Moby::new(&shared.docker);
    let built = bollard::grpc::driver::Build::docker_build(
        driver,
        &name,
        options.build(),
        ImageBuildLoadInput::Upload(shared.tar.clone()),
        None,
        Some(reference),
    )
    .await;
    if let Some(follower) = follower {
        // The stream ends with the build; do not wait long for a straggler.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), follower).await;
    }
    built.map_err(|e| {
        let text = e.to_string();
        text.rsplit_once("desc = ")
            .map_or(text.clone(), |(_, ours)| ours.trim().to_string())
    })?;
    let id = shared
        .docker
        .inspect_image(&name)
        .await
        .ok()
        .and_then(|i| i.id)
        .unwrap_or_default();
    tag_and_push(shared, job, &id, tags, kind == "registry").await?;
    Ok(format!("{id} {name}"))
}

/// Give image `id` its other tags (the first one it was built with), and push them all when
/// asked (`--push`, or a `registry` output).
async fn tag_and_push(
    shared: &Shared,
    job: &Job,
    id: &str,
    tags: &[String],
    registry: bool,
) -> Result<(), String> {
    for tag in tags.iter().skip(1) {
        let (repo, tag_part) = split_tag(tag);
        let options = TagImageOptionsBuilder::default()
            .repo(repo)
            .tag(tag_part)
            .build();
        shared
            .docker
            .tag_image(id, Some(options))
            .await
            .map_err(|e| format!("tag {tag}: {e}"))?;
    }
    if shared.push || registry {
        for tag in tags {
            shared.note(job.index, &format!("pushing {tag}"));
            push(&shared.docker, tag).await?;
        }
    }
    Ok(())
}

fn build_error(error: &bollard::errors::Error) -> String {
    match error {
        // "failed to solve with frontend dockerfile.v0: ... desc = kiln.yaml:25: ...": the
        // frontend's own message is what the user needs.
        bollard::errors::Error::DockerStreamError { error } => error
            .rsplit_once("desc = ")
            .map_or(error.as_str(), |(_, ours)| ours)
            .trim()
            .to_string(),
        other => other.to_string(),
    }
}

/// `registry/name:tag` → (`registry/name`, `tag`); no tag means `latest`.
fn split_tag(reference: &str) -> (&str, &str) {
    let name_start = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[name_start..].rfind(':') {
        Some(i) => (
            &reference[..name_start + i],
            &reference[name_start + i + 1..],
        ),
        None => (reference, "latest"),
    }
}

async fn push(docker: &Docker, reference: &str) -> Result<(), String> {
    let (repo, tag) = split_tag(reference);
    let options = PushImageOptionsBuilder::default().tag(tag).build();
    let mut stream = docker.push_image(repo, Some(options), None);
    while let Some(item) = stream.next().await {
        let info = match item {
            Ok(info) => info,
            Err(e) if is_spurious_stream_end(&e) => break,
            Err(e) => return Err(format!("push {reference}: {}", build_error(&e))),
        };
        if let Some(error) = info.error_detail.and_then(|d| d.message) {
            return Err(format!("push {reference}: {error}"));
        }
    }
    Ok(())
}

/// Unpack a tar output into `dest`, keeping modes and symlinks.
fn unpack(tar_path: &Path, dest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let file = std::fs::File::open(tar_path).map_err(|e| e.to_string())?;
    let mut archive = tar::Archive::new(file);
    archive.set_preserve_permissions(true);
    archive.set_overwrite(true);
    archive
        .unpack(dest)
        .map_err(|e| format!("cannot unpack into {}: {e}", dest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::os::unix::net::UnixListener;

    /// A one-request engine on a unix socket: it reads the request, then answers 200 with a
    /// chunked body written as `chunks`, pausing between them so that each arrives in its own
    /// read; `complete` ends the body properly, else the connection just closes.
    fn fake_engine(chunks: &[&str], complete: bool) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let chunks: Vec<String> = chunks.iter().map(|c| c.to_string()).collect();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
                line.clear();
            }
            reader.read_exact(&mut vec![0; length]).unwrap();
            let mut out = stream;
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
            // The client may hang up after an error message: later writes may fail.
            for chunk in chunks {
                let _ = write!(out, "{:x}\r\n{chunk}\r\n", chunk.len());
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            if complete {
                let _ = out.write_all(b"0\r\n\r\n");
            }
        });
        let path = socket.display().to_string();
        (dir, path)
    }

    /// What `read_build_stream` makes of the fake engine's answer to a `/build`.
    fn read_from(chunks: &[&str], complete: bool) -> Result<Option<String>, String> {
        let (_dir, socket) = fake_engine(chunks, complete);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let docker =
                Docker::connect_with_unix(&socket, 10, bollard::API_DEFAULT_VERSION).unwrap();
            let body = bollard::body_full(Vec::from(&b"tar"[..]).into());
            let stream = docker.build_image(
                BuildImageOptionsBuilder::default().build(),
                None,
                Some(body),
            );
            read_build_stream(stream, |_| {}).await
        })
    }

    #[test]
    fn a_crlf_split_from_the_last_message_is_still_a_complete_build() {
        // The engine's framing (a JSON message, then CRLF) split across two reads: bollard
        // 0.21.1 fails this complete answer with "bytes remaining on stream" (bollard#560).
        let id = r#"{"aux":{"ID":"sha256:0123"}}"#;
        assert_eq!(
            read_from(&[r#"{"stream":"step"}"#, "\r\n", id, "\r\n"], true),
            Ok(Some("sha256:0123".into()))
        );
        assert_eq!(
            read_from(&[id, "\r", "\n"], true),
            Ok(Some("sha256:0123".into()))
        );
    }

    /// What `push` makes of the fake engine's answer to a push.
    fn push_from(chunks: &[&str], complete: bool) -> Result<(), String> {
        let (_dir, socket) = fake_engine(chunks, complete);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let docker =
                Docker::connect_with_unix(&socket, 10, bollard::API_DEFAULT_VERSION).unwrap();
            push(&docker, "localhost:5000/app:1").await
        })
    }

    #[test]
    fn a_push_answer_split_after_its_last_message_is_a_push() {
        let last = r#"{"status":"1: digest: sha256:0123 size: 528"}"#;
        assert_eq!(push_from(&[last, "\r", "\n"], true), Ok(()));
        let got = push_from(&[r#"{"status":"1: dig"#], false);
        assert!(
            got.as_ref()
                .is_err_and(|e| e.starts_with("push localhost:5000/app:1: ")),
            "{got:?}"
        );
    }

    #[test]
    fn a_body_cut_short_is_still_an_error() {
        let got = read_from(&[r#"{"aux":{"ID":"sha"#], false);
        assert!(got.is_err(), "{got:?}");
        let got = read_from(&[r#"{"aux":{"ID":"sha256:0123"}}"#, "\r"], false);
        assert!(got.is_err(), "a body without its last chunk: {got:?}");
    }

    #[test]
    fn an_error_message_of_the_engine_is_the_build_error() {
        let got = read_from(
            &[
                r#"{"errorDetail":{"message":"rpc error: code = Unknown desc = kiln.yaml:3: boom"},"error":"boom"}"#,
                "\r\n",
            ],
            true,
        );
        assert_eq!(got, Err("kiln.yaml:3: boom".into()));
    }

    #[test]
    fn tags_split_into_repository_and_tag() {
        assert_eq!(
            split_tag("localhost:5000/app:1.0"),
            ("localhost:5000/app", "1.0")
        );
        assert_eq!(
            split_tag("localhost:5000/app"),
            ("localhost:5000/app", "latest")
        );
        assert_eq!(split_tag("app"), ("app", "latest"));
    }
}
