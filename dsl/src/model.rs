//! The typed model of a kiln build file: the single source of truth for YAML, HCL, the JSON
//! Schema (generated from these types and their doc comments) and the docs.
//!
//! Values users write carry their span (`Sp<T>`) so checks can point at them. Several fields
//! accept a shorthand (a string instead of a list or a map); the model stores the long form,
//! and `#[schemars(with = ...)]` names the shorthand-aware schema.

use crate::span::Sp;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// A map from a name written in the file to a value, in the file's order.
pub type Named<T> = IndexMap<Sp<String>, T>;
/// A map of string keys to string values, e.g. environment variables or labels.
pub type StringMap = IndexMap<Sp<String>, Sp<String>>;

/// A kiln build file: args, stages that build filesystems, targets that name results, and
/// groups of targets.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "kiln build file")]
pub struct BuildFile {
    /// The JSON Schema this file follows, for editors. kiln ignores it.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Version of the kiln file format. Only `1` exists.
    #[schemars(range(min = 1, max = 1))]
    pub version: Sp<u32>,
    /// Build arguments with their defaults, used as `${NAME}` in any string. Overridden by
    /// `--build-arg NAME=VALUE` and by a target's `args`. Never stored in the image.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": ARG_NAME_PATTERN}))]
    pub args: Named<Arg>,
    /// Named filesystem states, each built `from` an image, another stage or `scratch`
    /// by ordered `steps`. Only stages that a built target needs are built.
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    pub stages: Named<Stage>,
    /// The named things users build: a stage plus tags, platforms, args and an output.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    pub targets: Named<Target>,
    /// Named sets of targets (and other groups). `default` is built when no target is named.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    pub groups: Named<Group>,
}

/// What stage, target and group names may look like.
pub const NAME_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
/// Paths that must be absolute (a leading `${VAR}` is taken to expand to one).
pub const ABSOLUTE_PATH_PATTERN: &str = r"^(/|\$\{)";
/// What arg and environment variable names may look like.
pub const ARG_NAME_PATTERN: &str = "^[A-Za-z_][A-Za-z0-9_]*$";

/// A build argument: a default value (string, number or boolean; `null` for none), or a map
/// with `default` and `description`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[schemars(with = "ArgSchema")]
pub struct Arg {
    /// The value used when nothing overrides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Sp<String>>,
    /// What the argument is for; shown by `kiln print` and `--call outline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A build argument: its default value, or a map with `default` and `description`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ArgSchema {
    /// The default value. `null` means no default.
    Value(Option<Scalar>),
    /// The default value and a description.
    Full(ArgSpec),
}

/// A build argument with a description.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ArgSpec {
    /// The value used when nothing overrides it.
    default: Option<Scalar>,
    /// What the argument is for.
    description: Option<String>,
}

/// A string, number or boolean; kiln uses its text.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Scalar {
    String(String),
    Number(f64),
    Bool(bool),
}

/// One string, or a list of strings.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A map of names to values (strings, numbers or booleans, kept as text).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ScalarMap(IndexMap<String, Scalar>);

/// A named filesystem state.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// What the stage starts from: the name of another stage, an image reference
    /// (`localhost:5000/debian:bookworm`, `alpine@sha256:...`) or `scratch` (empty).
    #[schemars(length(min = 1))]
    pub from: Sp<String>,
    /// Platform to build this stage for, e.g. `linux/arm64` or `${BUILDPLATFORM}` to run
    /// natively while cross-compiling. Defaults to the target's platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Sp<String>>,
    /// What this stage is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Packages to install with the base image's package manager (apt, apk or dnf), before
    /// the steps: a list of `name` or `name=version`, or a map with `install` and options.
    #[serde(default, skip_serializing_if = "Packages::is_empty")]
    pub packages: Packages,
    /// Environment for every step of this stage and for the image, like Dockerfile `ENV`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
    /// Working directory for the steps and the image (absolute). Created if missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub workdir: Option<Sp<String>>,
    /// User (name or uid, optionally `:group`) that runs the steps and the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub user: Option<Sp<String>>,
    /// Ordered build steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Sp<Step>>,
    /// Config of the image made from this stage. Unset fields are inherited from the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageConfig>,
}

/// One build step. Each step is a map with exactly one of the keys `run`, `copy`,
/// `download`, `env`, `workdir`, `user`, `mkdir`, `symlink` or `packages`; a `run` step
/// may carry options (`mounts`, `network`, ...) next to it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Step {
    Run(RunStep),
    Copy(CopyStep),
    Download(DownloadStep),
    Env(EnvStep),
    Workdir(WorkdirStep),
    User(UserStep),
    Mkdir(MkdirStep),
    Symlink(SymlinkStep),
    Packages(PackagesStep),
}

impl Step {
    /// The key that says what kind of step this is.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Run(_) => "run",
            Step::Copy(_) => "copy",
            Step::Download(_) => "download",
            Step::Env(_) => "env",
            Step::Workdir(_) => "workdir",
            Step::User(_) => "user",
            Step::Mkdir(_) => "mkdir",
            Step::Symlink(_) => "symlink",
            Step::Packages(_) => "packages",
        }
    }
}

impl Step {
    /// The stages or images this step reads from (`copy.from`, a bind mount's `from`), each
    /// with how the file names that place.
    pub fn sources(&self) -> Vec<(&'static str, &Sp<String>)> {
        match self {
            Step::Copy(c) => c.copy.from.iter().map(|f| ("`copy.from`", f)).collect(),
            Step::Run(r) => r
                .mounts
                .iter()
                .filter_map(|m| match &m.value {
                    Mount::Bind(b) => b.from.as_ref().map(|f| ("a bind mount's `from`", f)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The step kinds, in the order the docs list them.
pub const STEP_KINDS: &[&str] = &[
    "run", "copy", "download", "env", "workdir", "user", "mkdir", "symlink", "packages",
];

/// Run a command in the stage's filesystem.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunStep {
    /// The command: a string runs with `/bin/sh -c`, a list runs as-is (argv).
    pub run: Sp<Command>,
    /// Mounts available while the command runs (caches, secrets, ssh agents, tmpfs, binds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Sp<Mount>>,
    /// Network access: `default` (sandboxed network), `none` or `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<Sp<Network>>,
    /// `sandbox` (default) or `insecure` (privileged; the builder must allow it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Sp<Security>>,
    /// Extra environment for this command only (not stored in the image).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
    /// User for this command only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub user: Option<Sp<String>>,
    /// Working directory for this command only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workdir: Option<Sp<String>>,
}

/// A command: a shell string (run by `/bin/sh -c`) or an argv list.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Command {
    /// Run by `/bin/sh -c`.
    Shell(Sp<String>),
    /// Executed directly, without a shell.
    Argv(#[schemars(length(min = 1))] Vec<Sp<String>>),
}

/// Network mode of a `run` step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Default,
    None,
    Host,
}

/// Security mode of a `run` step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    Sandbox,
    Insecure,
}

/// A mount for a `run` step: a map with exactly one of `cache`, `secret`, `ssh`, `tmpfs`,
/// `bind`, plus that kind's options.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Mount {
    Cache(CacheMount),
    Secret(SecretMount),
    Ssh(SshMount),
    Tmpfs(TmpfsMount),
    Bind(BindMount),
}

/// The mount kinds.
pub const MOUNT_KINDS: &[&str] = &["cache", "secret", "ssh", "tmpfs", "bind"];

/// A persistent cache directory, kept between builds.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheMount {
    /// Where the cache appears (absolute path).
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub cache: Sp<String>,
    /// Cache identity; caches with the same id are shared. Defaults to the target path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Sp<String>>,
    /// How concurrent builds share it: `shared` (default), `private` or `locked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<Sp<Sharing>>,
}

/// How concurrent builds share a cache mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    Shared,
    Private,
    Locked,
}

/// A secret given to the build (`--secret id=...`), never stored in the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretMount {
    /// The secret's id.
    pub secret: Sp<String>,
    /// Where the secret file appears (absolute). Defaults to `/run/secrets/<id>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Sp<String>>,
    /// Also expose the secret in this environment variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Sp<String>>,
    /// Fail the build when the secret is not provided (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Sp<bool>>,
}

/// Access to an SSH agent forwarded by the client (`--ssh default`).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SshMount {
    /// The ssh id, usually `default`.
    pub ssh: Sp<String>,
    /// Where the agent socket appears (absolute). Defaults to `/run/buildkit/ssh_agent.N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Sp<String>>,
    /// Fail the build when the ssh id is not provided (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Sp<bool>>,
}

/// A temporary in-memory filesystem.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TmpfsMount {
    /// Where the tmpfs appears (absolute path).
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub tmpfs: Sp<String>,
    /// Size limit in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<Sp<u64>>,
}

/// Files of a stage, an image or the build context, visible while the command runs.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindMount {
    /// Where the files appear (absolute path).
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub bind: Sp<String>,
    /// A stage name or an image reference. Without `from` or `context`, the build context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Sp<String>>,
    /// A named build context (`--build-context NAME=...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Sp<String>>,
    /// Path inside the source to mount. Defaults to its root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Sp<String>>,
    /// Mount read-only (default true). Writes to a read-write bind are discarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly: Option<Sp<bool>>,
}

/// Copy files into the stage.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyStep {
    /// What to copy and where.
    pub copy: Copy,
}

/// Copy files from the build context, a stage, an image or a named context.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Copy {
    /// Source paths (globs allowed). A directory copies its contents, as in a Dockerfile.
    #[schemars(with = "OneOrMany")]
    pub src: Sp<Vec<Sp<String>>>,
    /// Destination. Ending in `/` (or with several sources) it is a directory.
    /// Relative paths are relative to the working directory.
    pub dst: Sp<String>,
    /// Copy from this stage or image instead of the build context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Sp<String>>,
    /// Copy from this named build context instead of the main one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Sp<String>>,
    /// Copy from a git repository (`src` is relative to its root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitSource>,
    /// Patterns of files not to copy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Sp<String>>,
    /// Owner of the copied files: `user`, `user:group`, `uid` or `uid:gid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub chown: Option<Sp<String>>,
    /// Mode of the copied files, in octal (`"0755"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chmod: Option<Sp<String>>,
    /// Copy into an independent layer that survives changes to earlier steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Sp<bool>>,
}

/// A git repository to copy files from, fetched by BuildKit.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitSource {
    /// The repository: `https://...`, `http://...`, `git://...` or `ssh://...`.
    pub url: Sp<String>,
    /// Branch or tag to check out (default: the remote's default branch).
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<Sp<String>>,
    /// Full commit hash to pin to: the build fails if the repository does not have it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<Sp<String>>,
    /// Keep the `.git` directory (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_git_dir: Option<Sp<bool>>,
    /// A directory of the repository that `src` paths are relative to (default: its root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdir: Option<Sp<String>>,
}

/// Download a file, checked against its sha256.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DownloadStep {
    /// What to download and where.
    pub download: Download,
}

/// A download with a required checksum. `url` and `sha256` may be maps keyed by
/// architecture (`amd64`) or platform (`linux/arm64`) so one step serves several platforms.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Download {
    /// The `https://` URL, or a map of platform or architecture to URL.
    pub url: PerPlatform,
    /// Expected sha256 of the file (64 hex digits), or a map of platform or architecture to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<PerPlatform>,
    /// Destination path. Ending in `/` it is a directory and the URL's file name is kept.
    pub dst: Sp<String>,
    /// Mode of the file, in octal (`"0755"`). Default `0644`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Sp<String>>,
    /// Owner of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub chown: Option<Sp<String>>,
    /// Allow a download without `sha256` (reported as a warning). Default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<Sp<bool>>,
    /// Unpack the downloaded archive (tar, optionally gzip, bzip2 or xz compressed) into
    /// `dst`, a directory. Default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extract: Option<Sp<bool>>,
}

/// One value for all platforms, or a map keyed by architecture (`amd64`, `arm64`) or
/// platform (`linux/arm64`).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PerPlatform {
    All(Sp<String>),
    ByPlatform(StringMap),
}

/// Set environment variables for the following steps and the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvStep {
    /// Variables to set.
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
}

/// Change the working directory of the following steps and the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkdirStep {
    /// The new working directory; relative paths are relative to the current one.
    pub workdir: Sp<String>,
}

/// Change the user of the following steps and the image.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserStep {
    /// User name or uid, optionally `:group`.
    #[schemars(with = "Scalar")]
    pub user: Sp<String>,
}

/// Create a directory.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MkdirStep {
    /// The directory: a path, or a map with `path`, `mode`, `chown`.
    #[schemars(with = "MkdirSchema")]
    pub mkdir: Mkdir,
}

/// A directory to create, with its parents.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mkdir {
    /// Path of the directory; relative paths are relative to the working directory.
    pub path: Sp<String>,
    /// Mode in octal (`"0755"`, the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Sp<String>>,
    /// Owner of the created directories.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub chown: Option<Sp<String>>,
}

/// A path, or a map with `path`, `mode` and `chown`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum MkdirSchema {
    Path(String),
    Full(Mkdir),
}

/// Create a symbolic link.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SymlinkStep {
    /// The link to create.
    pub symlink: Symlink,
}

/// A symbolic link: `path` will point to `target`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Symlink {
    /// What the link points to (stored as written).
    pub target: Sp<String>,
    /// Where the link is created.
    pub path: Sp<String>,
}

/// Install packages at this point of the steps.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackagesStep {
    /// Package names (optionally `name=version`), or a map with `install` and options.
    pub packages: Packages,
}

/// Packages to install with a package manager, done the way an expert would: caches in
/// locked cache mounts (nothing of them in the image), no recommended extras by default.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(with = "PackagesSchema")]
pub struct Packages {
    /// Package names, optionally pinned: `name=version`.
    pub install: Vec<Sp<String>>,
    /// `apt`, `apk` or `dnf`. Detected from the base image when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<Sp<PackageManager>>,
    /// Also install recommended (apt) or weak (dnf) dependencies. Default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommends: Option<Sp<bool>>,
    /// Extra package repositories, each trusted through a signing key fetched by URL and
    /// checked against its sha256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<Sp<Repository>>,
}

/// An extra package repository and the key that signs it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    /// A short name (letters, digits, `-`, `_`): the key and list files are named after it.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"))]
    pub name: Sp<String>,
    /// The repository's base URL.
    pub url: Sp<String>,
    /// apt: the distribution (`bookworm`, `stable`, ...), or a path ending in `/` for a flat
    /// repository. Default `./` (flat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite: Option<Sp<String>>,
    /// apt: the components (default `[main]` unless the suite is flat).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Sp<String>>,
    /// The signing key (ASCII-armored or binary), fetched when the build runs.
    pub key: RepositoryKey,
}

/// Where a repository's signing key is, and its checksum.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RepositoryKey {
    /// URL of the key file.
    pub url: Sp<String>,
    /// sha256 of the key file (64 hex digits): a changed key fails the build.
    pub sha256: Sp<String>,
}

impl Packages {
    pub fn is_empty(&self) -> bool {
        self.install.is_empty()
    }

    /// Every string that `${NAME}` interpolation applies to.
    pub fn strings(&self) -> Vec<&Sp<String>> {
        let mut strings: Vec<&Sp<String>> = self.install.iter().collect();
        for repo in &self.repositories {
            let repo = &repo.value;
            strings.extend([&repo.url, &repo.key.url, &repo.key.sha256]);
            strings.extend(repo.suite.iter().chain(&repo.components));
        }
        strings
    }
}

/// The package managers kiln drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Apt,
    Apk,
    Dnf,
}

/// A list of package names, or a map with `install` and options.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum PackagesSchema {
    Names(Vec<String>),
    Full(PackagesSpec),
}

/// Packages with options.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PackagesSpec {
    /// Package names, optionally pinned: `name=version`.
    install: Vec<String>,
    /// `apt`, `apk` or `dnf`. Detected from the base image when omitted.
    manager: Option<PackageManager>,
    /// Also install recommended (apt) or weak (dnf) dependencies. Default false.
    recommends: Option<bool>,
    /// Extra package repositories, each trusted through a signing key fetched by URL and
    /// checked against its sha256.
    repositories: Option<Vec<Repository>>,
}

/// The config of an image built from a stage. Unset fields are inherited from the base image,
/// as Docker does.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageConfig {
    /// Program the container runs. Setting it clears an inherited `cmd`, as in a Dockerfile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Sp<Command>>,
    /// Default arguments (or command when there is no entrypoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Sp<Command>>,
    /// Environment stored in the image only (the stage's `env` is stored too).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub env: StringMap,
    /// User the container runs as.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scalar>")]
    pub user: Option<Sp<String>>,
    /// Working directory of the container (absolute).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = ABSOLUTE_PATH_PATTERN))]
    pub workdir: Option<Sp<String>>,
    /// Ports the container listens on: `8080`, `8080/tcp` or `53/udp`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<Scalar>")]
    pub expose: Vec<Sp<String>>,
    /// Paths that are volumes (absolute).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = ABSOLUTE_PATH_PATTERN)))]
    pub volumes: Vec<Sp<String>>,
    /// Image labels.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub labels: StringMap,
    /// How to check that the container is healthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// Signal that stops the container, e.g. `SIGTERM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopsignal: Option<Sp<String>>,
}

/// A container health check, as Dockerfile `HEALTHCHECK`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    /// The check command: a shell string or an argv list. Omit with `disable: true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<Sp<Command>>,
    /// Turn off a health check inherited from the base image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable: Option<Sp<bool>>,
    /// Time between checks, e.g. `30s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Sp<String>>,
    /// Time after which one check counts as failed, e.g. `5s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Sp<String>>,
    /// Time the container gets to start before failures count, e.g. `10s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<Sp<String>>,
    /// Consecutive failures before the container is unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<Sp<u32>>,
}

/// Something users build: a stage with tags, platforms, args, labels, an output and caches.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The stage whose result this target is.
    pub stage: Sp<String>,
    /// What this target is for; shown by `kiln print` and `--call targets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image names to tag the result with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Sp<String>>,
    /// Platforms to build, e.g. `linux/amd64`, `linux/arm64`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Sp<String>>,
    /// Values for build args, overriding their defaults.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub args: StringMap,
    /// Labels added to the image.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "ScalarMap")]
    pub labels: StringMap,
    /// Where the result goes: `image` (default), `registry`, `local` or `tar`, or a map with
    /// `type` and `dest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<OutputSchema>")]
    pub output: Option<Output>,
    /// Caches to import before building, as bake's `cache-from`: BuildKit cache entries in
    /// CSV form (`type=registry,ref=localhost:5000/app:cache`, `type=local,src=/tmp/cache`,
    /// `type=gha`), or an image reference, short for `type=registry,ref=<reference>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_from: Vec<Sp<String>>,
    /// Caches to export after building, as bake's `cache-to`: BuildKit cache entries in CSV
    /// form (`type=registry,ref=localhost:5000/app:cache,mode=max`,
    /// `type=local,dest=/tmp/cache`, `type=inline`); `mode` is `min` (default) or `max`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_to: Vec<Sp<String>>,
}

/// Where a target's result goes.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// `image` (the builder's image store), `registry` (push), `local` (files) or `tar`.
    #[serde(rename = "type")]
    pub kind: Sp<OutputKind>,
    /// Directory (`local`) or file (`tar`) to write to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest: Option<Sp<String>>,
}

/// The kinds of output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    Image,
    Registry,
    Local,
    Tar,
}

/// An output kind, or a map with `type` and `dest`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OutputSchema {
    Kind(OutputKind),
    Full(Output),
}

/// A named set of targets and groups: a list of names, or a map with `targets` and
/// `description`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(with = "GroupSchema")]
pub struct Group {
    /// Names of the targets and groups in this group.
    pub targets: Vec<Sp<String>>,
    /// What this group is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A list of target and group names, or a map with `targets` and `description`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum GroupSchema {
    Members(Vec<String>),
    Full(GroupSpec),
}

/// A group with a description.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct GroupSpec {
    /// Names of the targets and groups in this group.
    targets: Vec<String>,
    /// What this group is for.
    description: Option<String>,
}
