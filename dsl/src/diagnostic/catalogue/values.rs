//! Values that must have a particular shape: image tags, platforms, checksums, URLs, modes,
//! absolute paths, ports, durations, signals, git sources, and options that exclude each
//! other.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// A target that pushes to a registry (`output: registry`) with no `tags`.
pub fn registry_output_without_tags(target: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingKey,
        format!("target `{target}` pushes to a registry but has no tags"),
    )
    .with_label(span, "pushed where?")
    .with_help("add `tags: [registry/name:tag]` to the target")
}

/// A copy whose `src` is an empty list.
pub fn copy_without_source(span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidValue, "a copy needs at least one source")
        .with_label(span, "empty list")
        .with_help("list the files or directories to copy in `src`")
}

/// Two options that exclude each other (`what`: "`from` and `context`"); `why` says why,
/// `first` and `second` are where they are written.
pub fn conflicting_sources(what: &str, why: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingOptions,
        format!("{what} cannot be used together"),
    )
    .with_label(second, "second source")
    .with_label(first, "first source")
    .with_help(format!("{why}; keep only one of them"))
}

/// A download without a checksum, allowed by `insecure: true`.
pub fn insecure_download(span: Span) -> Diagnostic {
    Diagnostic::warning(
        Code::InsecureDownload,
        "this download is not checked against a sha256",
    )
    .with_label(span, "unchecked download")
    .with_help("add `sha256:` so a changed or tampered file fails the build")
}

/// A download with neither `sha256` nor `insecure: true`.
pub fn download_without_sha256(span: Span) -> Diagnostic {
    Diagnostic::error(Code::MissingKey, "a download needs a `sha256`")
        .with_label(span, "downloaded without a checksum")
        .with_help("add `sha256: <64 hex digits>` (e.g. from `sha256sum FILE`), or `insecure: true` to skip the check")
}

/// A per-platform map key that is neither an architecture nor a platform.
pub fn unknown_platform_key(key: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidPlatform,
        format!("`{key}` is not an architecture or a platform"),
    )
    .with_label(span, "unknown platform key")
    .with_help(
        "key per-platform values by architecture (`amd64`, `arm64`) or platform (`linux/arm64`)",
    )
}

/// A per-platform download URL whose platform has no entry in the `sha256` map.
pub fn url_without_sha256(key: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::MissingKey, format!("no sha256 for `{key}`"))
        .with_label(span, "this URL has no checksum")
        .with_help(format!("add `{key}: <sha256>` to the `sha256` map"))
}

/// A per-platform sha256 whose platform has no URL.
pub fn sha256_without_url(key: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        Code::UnknownKey,
        format!("sha256 for `{key}`, which has no URL"),
    )
    .with_label(span, "no URL for this platform")
    .with_help("remove it, or add the URL for this platform")
}

/// A download (or repository, or key) URL that is not http(s).
pub fn not_http_url(url: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidUrl, format!("`{url}` is not an http(s) URL"))
        .with_label(span, "not a URL")
        .with_help("write a full URL such as `https://example.com/tool.tar.gz`")
}

/// An extra package repository's name that cannot name its key and list files.
pub fn invalid_repository_name(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidName,
        format!("`{name}` is not a valid repository name"),
    )
    .with_label(span, "names the key and list files")
    .with_help("use letters, digits, `-` and `_`, starting with a letter or digit")
}

/// Two extra package repositories with one name.
pub fn duplicate_repository(name: &str, second: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateName,
        format!("two repositories are named `{name}`"),
    )
    .with_label(second, "second repository with this name")
    .with_label(first, "first one here")
    .with_help("give each repository its own name")
}

/// A sha256 that is not 64 hex digits; `characters` is how many it has.
pub fn malformed_sha256(characters: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidSha256,
        format!("malformed sha256 ({characters} characters)"),
    )
    .with_label(span, "not 64 hexadecimal digits")
    .with_help("a sha256 is 64 hex digits, as printed by `sha256sum FILE`")
}

/// A platform that is not `os/arch[/variant]`: `written` as in the file, `expanded` once
/// its args are replaced, `problem` what is wrong with it.
pub fn invalid_platform(written: &str, expanded: &str, span: Span, problem: &str) -> Diagnostic {
    let help = match expanded.strip_prefix('$') {
        Some(name) if crate::interpolate::is_var_name(name) => {
            format!("kiln only replaces `${{NAME}}`: write `${{{name}}}`")
        }
        _ => "write `os/arch` or `os/arch/variant`, e.g. `linux/amd64` or `linux/arm64`".into(),
    };
    Diagnostic::error(
        Code::InvalidPlatform,
        format!("invalid platform `{written}`"),
    )
    .with_label(span, problem)
    .with_help(help)
}

/// A target's tag (after its args are replaced) that is not an image reference.
pub fn invalid_tag(tag: &str, span: Span, problem: &str) -> Diagnostic {
    Diagnostic::error(Code::InvalidImage, format!("invalid image tag `{tag}`"))
        .with_label(span, problem)
        .with_help("a tag looks like `registry/name:tag`, e.g. `localhost:5000/app:1.0`")
}

/// A relative path where BuildKit needs an absolute one (`what`: "a stage's workdir").
pub fn relative_path(what: &str, path: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RelativePath,
        format!("{what} must be an absolute path, not `{path}`"),
    )
    .with_label(span, "relative path")
    .with_help(format!("write `/{}`", path.trim_start_matches("./")))
}

/// A file mode that is not octal (or over 07777).
pub fn invalid_mode(mode: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidMode, format!("`{mode}` is not a file mode"))
        .with_label(span, "not an octal mode")
        .with_help("write the mode in octal, as chmod does, e.g. \"0755\" or \"0644\"")
}

/// An `expose` entry that is not `PORT[/tcp|udp|sctp]`.
pub fn invalid_port(port: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidValue, format!("`{port}` is not a port"))
        .with_label(span, "expected a port")
        .with_help("write a port number from 1 to 65535, optionally with `/tcp`, `/udp` or `/sctp`")
}

/// A healthcheck `test` list in Docker's form (`[CMD, ...]`, `[CMD-SHELL, "..."]`,
/// `[NONE]`) that Docker would not take: `problem` says why, `fix` what to write.
pub fn invalid_healthcheck_test(problem: &str, fix: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("this healthcheck `test` is not one Docker runs: {problem}"),
    )
    .with_label(span, "Docker's healthcheck form")
    .with_help(fix.to_string())
}

/// A healthcheck interval, timeout or start period that is not a Go duration.
pub fn invalid_duration(duration: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("`{duration}` is not a duration"),
    )
    .with_label(span, "expected a duration")
    .with_help("write a duration such as `30s`, `1m30s` or `500ms`")
}

/// A `stopsignal` that is neither `SIG...` nor a number.
pub fn invalid_signal(signal: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::InvalidValue, format!("`{signal}` is not a signal"))
        .with_label(span, "expected a signal")
        .with_help("write a signal name such as `SIGTERM` or `SIGINT`, or its number")
}

/// A copy's `git` URL that is not a repository URL.
pub fn not_git_url(url: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidUrl,
        format!("`{url}` is not a git repository URL"),
    )
    .with_label(span, "not a URL")
    .with_help("write `https://host/repo.git` (or `git://`, `ssh://`, `git@host:repo.git`)")
}

/// A git `subdir` that is absolute or climbs out with `..`.
pub fn subdir_outside_repository(subdir: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidPath,
        format!("`{subdir}` is not a directory inside the repository"),
    )
    .with_label(span, "must be relative, without `..`")
    .with_help("write the directory as the repository lists it, e.g. `tools/cli`")
}

/// A git `commit` that is not a full (40 or 64 digit) hash.
pub fn not_full_commit(commit: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidValue,
        format!("`{commit}` is not a full commit hash"),
    )
    .with_label(span, "expected 40 (or 64) hex digits")
    .with_help(
        "pin the full hash, as `git rev-parse HEAD` prints it; use `ref:` for branches and tags",
    )
}
