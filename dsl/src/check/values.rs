//! Values that must have a particular shape: image references, platforms, checksums, URLs,
//! modes, absolute paths, ports, durations, and options that exclude each other.

use super::Checker;
use super::graph::Graph;
use crate::diagnostic::catalogue;
use crate::model::*;
use crate::platform;
use crate::reference;
use crate::span::Sp;

pub(super) fn check(cx: &mut Checker<'_>, _graph: &Graph) {
    let model = cx.model;
    for stage in model.stages.values() {
        if let Some(p) = &stage.platform {
            check_platform(cx, p);
        }
        if let Some(w) = &stage.workdir {
            check_absolute(cx, w, "a stage's workdir");
        }
        check_packages(cx, &stage.packages);
        for step in &stage.steps {
            check_step(cx, &step.value);
        }
        if let Some(image) = &stage.image {
            check_image_config(cx, image);
        }
    }
    for (name, target) in &model.targets {
        for tag in &target.tags {
            check_tag(cx, tag, &target.args);
        }
        for p in &target.platforms {
            check_platform(cx, p);
        }
        let pushes = target
            .output
            .as_ref()
            .filter(|o| o.kind.value == OutputKind::Registry);
        if let Some(output) = pushes
            && target.tags.is_empty()
        {
            cx.report(catalogue::registry_output_without_tags(
                name,
                output.kind.span,
            ));
        }
    }
}

fn check_step(cx: &mut Checker<'_>, step: &Step) {
    match step {
        Step::Run(run) => {
            if let Some(w) = &run.workdir {
                check_absolute(cx, w, "a run step's workdir");
            }
            for mount in &run.mounts {
                check_mount(cx, &mount.value);
            }
        }
        Step::Copy(CopyStep { copy }) => {
            if let Some(git) = &copy.git {
                check_git(cx, git);
                if let Some(other) = copy.from.as_ref().or(copy.context.as_ref()) {
                    conflicting(
                        cx,
                        &git.url,
                        other,
                        "`git` and `from`/`context`",
                        "a copy takes its files from one place",
                    );
                }
            }
            if let (Some(from), Some(context)) = (&copy.from, &copy.context) {
                conflicting(
                    cx,
                    from,
                    context,
                    "`from` and `context`",
                    "a copy takes its files from one place",
                );
            }
            if let Some(mode) = &copy.chmod {
                check_mode(cx, mode);
            }
            if copy.src.value.is_empty() {
                cx.report(catalogue::copy_without_source(copy.src.span));
            }
        }
        Step::Download(DownloadStep { download }) => check_download(cx, download),
        Step::Mkdir(MkdirStep { mkdir }) => {
            if let Some(mode) = &mkdir.mode {
                check_mode(cx, mode);
            }
        }
        Step::Packages(p) => check_packages(cx, &p.packages),
        Step::Env(_) | Step::Workdir(_) | Step::User(_) | Step::Symlink(_) => {}
    }
}

fn check_mount(cx: &mut Checker<'_>, mount: &Mount) {
    match mount {
        Mount::Cache(m) => {
            check_absolute(cx, &m.cache, "a cache mount target");
            if let Some(mode) = &m.mode {
                check_mode(cx, mode);
            }
        }
        Mount::Tmpfs(m) => check_absolute(cx, &m.tmpfs, "a tmpfs mount target"),
        Mount::Bind(m) => {
            check_absolute(cx, &m.bind, "a bind mount target");
            if let (Some(from), Some(context)) = (&m.from, &m.context) {
                conflicting(
                    cx,
                    from,
                    context,
                    "`from` and `context`",
                    "a bind mount takes its files from one place",
                );
            }
        }
        Mount::Secret(m) => {
            if let Some(t) = &m.target {
                check_absolute(cx, t, "a secret mount target");
            }
        }
        Mount::Ssh(m) => {
            if let Some(t) = &m.target {
                check_absolute(cx, t, "an ssh mount target");
            }
        }
    }
}

fn check_download(cx: &mut Checker<'_>, download: &Download) {
    for (key, url) in per_platform_values(&download.url) {
        check_platform_key(cx, key);
        check_http_url(cx, url);
    }
    match &download.sha256 {
        Some(sha) => {
            for (key, digest) in per_platform_values(sha) {
                check_platform_key(cx, key);
                check_sha256(cx, digest);
            }
            check_same_platforms(cx, &download.url, sha);
        }
        None if download.insecure.as_ref().is_some_and(|i| i.value) => {
            let span = download
                .insecure
                .as_ref()
                .map_or(download.dst.span, |i| i.span);
            cx.report(catalogue::insecure_download(span));
        }
        None => {
            let span = per_platform_values(&download.url)
                .first()
                .map_or(download.dst.span, |(_, u)| u.span);
            cx.report(catalogue::download_without_sha256(span));
        }
    }
    if let Some(mode) = &download.mode {
        check_mode(cx, mode);
    }
}

fn per_platform_values(value: &PerPlatform) -> Vec<(Option<&Sp<String>>, &Sp<String>)> {
    match value {
        PerPlatform::All(v) => vec![(None, v)],
        PerPlatform::ByPlatform(map) => map.iter().map(|(k, v)| (Some(k), v)).collect(),
    }
}

fn check_platform_key(cx: &mut Checker<'_>, key: Option<&Sp<String>>) {
    let Some(key) = key else { return };
    if !platform::is_platform_key(key) {
        cx.report(catalogue::unknown_platform_key(key, key.span));
    }
}

/// A per-platform sha256 map must cover the platforms the URL map names, and vice versa.
fn check_same_platforms(cx: &mut Checker<'_>, url: &PerPlatform, sha: &PerPlatform) {
    let (PerPlatform::ByPlatform(urls), PerPlatform::ByPlatform(shas)) = (url, sha) else {
        return;
    };
    for key in urls.keys().filter(|k| !shas.contains_key(k.value.as_str())) {
        cx.report(catalogue::url_without_sha256(key, key.span));
    }
    for key in shas.keys().filter(|k| !urls.contains_key(k.value.as_str())) {
        cx.report(catalogue::sha256_without_url(key, key.span));
    }
}

/// A URL is checked as it expands, as a mode is (`url: "${MIRROR}/tool.tgz"`).
fn check_http_url(cx: &mut Checker<'_>, url: &Sp<String>) {
    if let Some(text) = as_expanded(cx, url).filter(|u| !is_http_url(u)) {
        cx.report(catalogue::not_http_url(&text, url.span));
    }
}

/// `http://` or `https://` and something after it.
pub fn is_http_url(url: &str) -> bool {
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    scheme_ok && url.len() > "https://".len()
}

/// A value as it expands with the args' defaults; `None` when it uses a value known only
/// at build time (lowering checks the expanded value then, at the same place).
fn as_expanded(cx: &Checker<'_>, value: &Sp<String>) -> Option<String> {
    if value.value.contains("${") {
        cx.substitute_args(&value.value)
    } else {
        Some(value.value.clone())
    }
}

/// Extra repositories: URLs, key checksums, and names that can name files.
fn check_packages(cx: &mut Checker<'_>, packages: &Packages) {
    let mut seen: Vec<&Sp<String>> = Vec::new();
    for repo in &packages.repositories {
        let repo = &repo.value;
        let name = &repo.name;
        let valid = name
            .value
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_alphanumeric() || (i > 0 && (c == '-' || c == '_')));
        if name.value.is_empty() || !valid {
            cx.report(catalogue::invalid_repository_name(name, name.span));
        }
        if let Some(first) = seen.iter().find(|s| s.value == name.value) {
            cx.report(catalogue::duplicate_repository(name, name.span, first.span));
        }
        seen.push(name);
        check_http_url(cx, &repo.url);
        check_http_url(cx, &repo.key.url);
        check_sha256(cx, &repo.key.sha256);
    }
}

fn check_sha256(cx: &mut Checker<'_>, digest: &Sp<String>) {
    let hex = digest
        .value
        .strip_prefix("sha256:")
        .unwrap_or(&digest.value);
    if hex.contains("${") {
        return;
    }
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        cx.report(catalogue::malformed_sha256(
            hex.chars().count(),
            digest.span,
        ));
    }
}

fn check_platform(cx: &mut Checker<'_>, value: &Sp<String>) {
    let text = if value.value.contains("${") {
        if value.value.starts_with("${")
            && value.value.ends_with('}')
            && value.value.matches("${").count() == 1
        {
            return; // `${BUILDPLATFORM}` and friends are checked as variables
        }
        match cx.substitute_args(value) {
            Some(t) => t,
            None => return,
        }
    } else {
        value.value.clone()
    };
    if let Err(problem) = platform::parse(&text) {
        let diagnostic = catalogue::invalid_platform(value, &text, value.span, &problem);
        cx.report(diagnostic);
    }
}

fn check_tag(cx: &mut Checker<'_>, tag: &Sp<String>, target_args: &StringMap) {
    let text = if tag.value.contains("${") {
        match cx.substitute_args_for(&tag.value, Some(target_args)) {
            Some(t) => t,
            None => return,
        }
    } else {
        tag.value.clone()
    };
    if let Err(problem) = reference::parse(&text) {
        cx.report(catalogue::invalid_tag(&text, tag.span, &problem));
    }
}

/// Paths that BuildKit needs absolute. `${...}` is assumed to expand to something absolute
/// when the text starts with it.
fn check_absolute(cx: &mut Checker<'_>, path: &Sp<String>, what: &str) {
    if path.value.starts_with('/') || path.value.starts_with("${") {
        return;
    }
    cx.report(catalogue::relative_path(what, path, path.span));
}

/// A mode is checked as it expands: `${ARG}` with a default is replaced by it; with a value
/// known only at build time, lowering checks the expanded mode (at the same place).
fn check_mode(cx: &mut Checker<'_>, mode: &Sp<String>) {
    let Some(text) = as_expanded(cx, mode) else {
        return;
    };
    let text = text.as_str();
    let digits = text.strip_prefix("0o").unwrap_or(text);
    let valid = !digits.is_empty()
        && digits.len() <= 5
        && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
        && u32::from_str_radix(digits, 8).is_ok_and(|m| m <= 0o7777);
    if !valid {
        cx.report(catalogue::invalid_mode(text, mode.span));
    }
}

fn check_image_config(cx: &mut Checker<'_>, image: &ImageConfig) {
    if let Some(w) = &image.workdir {
        check_absolute(cx, w, "the image workdir");
    }
    for volume in &image.volumes {
        check_absolute(cx, volume, "a volume");
    }
    for port in &image.expose {
        // As a mode: checked as it expands, else by lowering once the value is known.
        if let Some(text) = as_expanded(cx, port).filter(|t| !is_port(t)) {
            cx.report(catalogue::invalid_port(&text, port.span));
        }
    }
    if let Some(check) = &image.healthcheck {
        if let Some(Command::Argv(argv)) = check.test.as_ref().map(|t| &t.value) {
            check_healthcheck_test(cx, argv);
        }
        let durations = [&check.interval, &check.timeout, &check.start_period];
        for duration in durations.into_iter().flatten() {
            if !is_duration(duration) {
                cx.report(catalogue::invalid_duration(duration, duration.span));
            }
        }
    }
    if let Some(signal) = &image.stopsignal {
        let ok = signal.value.parse::<u8>().is_ok_and(|n| n > 0)
            || (signal.value.starts_with("SIG")
                && signal.value.len() > 3
                && signal.value[3..].bytes().all(|b| {
                    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'+' || b == b'-'
                }));
        if !ok {
            cx.report(catalogue::invalid_signal(signal, signal.span));
        }
    }
}

/// A `test` list that starts like Docker's own form (`CMD`, `CMD-SHELL`, `NONE`) must be
/// one Docker takes; any other list is a command run without a shell (`CMD` is implied).
fn check_healthcheck_test(cx: &mut Checker<'_>, argv: &[Sp<String>]) {
    let Some(first) = argv.first() else { return };
    let problem = match first.value.as_str() {
        "NONE" if argv.len() > 1 => Some((
            "`NONE` takes no command",
            "write `disable: true` to turn the check off, or drop `NONE` to run the command",
        )),
        "CMD" if argv.len() == 1 => Some((
            "`CMD` needs the command after it",
            "write the command after `CMD`: `test: [CMD, curl, -f, \"http://localhost/\"]`",
        )),
        "CMD-SHELL" if argv.len() != 2 => Some((
            "`CMD-SHELL` takes exactly one shell command",
            "write one string after `CMD-SHELL`: `test: [CMD-SHELL, \"curl -f http://localhost/ || exit 1\"]`, or the string alone: `test: \"curl -f ...\"`",
        )),
        "NONE" | "CMD" | "CMD-SHELL" => None,
        other if ["none", "cmd", "cmd-shell"].contains(&other.to_ascii_lowercase().as_str()) => {
            Some((
                "Docker's keywords are in capitals",
                "write `CMD`, `CMD-SHELL` or `NONE` in capitals, as Docker does",
            ))
        }
        _ => None,
    };
    if let Some((problem, fix)) = problem {
        cx.report(catalogue::invalid_healthcheck_test(
            problem, fix, first.span,
        ));
    }
}

/// `PORT[/tcp|udp|sctp]`, as `expose` takes it.
pub fn is_port(text: &str) -> bool {
    let (number, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    number.parse::<u16>().is_ok_and(|n| n > 0) && matches!(protocol, "tcp" | "udp" | "sctp")
}

/// Go-style durations: one or more `<number><unit>` with units ns, us, ms, s, m, h.
fn is_duration(value: &str) -> bool {
    let mut rest = value;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(**u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

fn conflicting(cx: &mut Checker<'_>, a: &Sp<String>, b: &Sp<String>, what: &str, why: &str) {
    cx.report(catalogue::conflicting_sources(what, why, a.span, b.span));
}

fn check_git(cx: &mut Checker<'_>, git: &GitSource) {
    let url = &git.url.value;
    let scheme_ok = ["https://", "http://", "git://", "ssh://"]
        .iter()
        .any(|s| url.starts_with(s))
        || (url.contains('@') && url.contains(':'));
    if !scheme_ok && !url.starts_with("${") {
        cx.report(catalogue::not_git_url(url, git.url.span));
    }
    if let Some(subdir) = &git.subdir {
        let escapes = subdir.value.split('/').any(|part| part == "..");
        if subdir.value.starts_with('/') || escapes {
            cx.report(catalogue::subdir_outside_repository(subdir, subdir.span));
        }
    }
    // A commit from `${...}` is checked once replaced, by the frontend.
    let literal = git.commit.as_ref().filter(|c| !c.value.contains("${"));
    if let Some(commit) = literal.filter(|c| !is_full_commit(&c.value)) {
        cx.report(catalogue::not_full_commit(commit, commit.span));
    }
}

/// A full commit hash: 40 (SHA-1) or 64 (SHA-256) hex digits.
pub fn is_full_commit(commit: &str) -> bool {
    (commit.len() == 40 || commit.len() == 64) && commit.bytes().all(|b| b.is_ascii_hexdigit())
}
