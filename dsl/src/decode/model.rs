//! Decoding of each model type from the node tree.

use super::{Decoder, Fields};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::Sp;
use crate::suggest;

const FILE_KEYS: &[&str] = &["$schema", "version", "args", "stages", "targets", "groups"];

/// Decode a whole build file. Returns `None` only when the top level is not a map.
pub fn decode_build_file(d: &mut Decoder<'_>, root: &Node) -> Option<BuildFile> {
    if matches!(root.kind, NodeKind::Null) {
        d.report(
            Diagnostic::error(Code::EmptyFile, "the build file is empty")
                .with_label(crate::span::Span::new(0, 0), "nothing here")
                .with_help("start with `version: 1` and a `stages:` map; see examples/"),
        );
        return None;
    }
    let f = d.fields(
        root,
        "a build file (a map with `version`, `stages`, ...)",
        FILE_KEYS,
    )?;
    let schema = d.field(&f, "$schema", |d, n| d.string(n)).map(|s| s.value);
    let version = d.required(&f, "version", "build file", version);
    let args = d
        .field(&f, "args", |d, n| d.named(n, |d, _, v| arg(d, v)))
        .unwrap_or_default();
    let stages = d
        .required(&f, "stages", "build file", |d, n| {
            d.named(n, |d, _, v| stage(d, v))
        })
        .unwrap_or_default();
    let targets = d
        .field(&f, "targets", |d, n| d.named(n, |d, _, v| target(d, v)))
        .unwrap_or_default();
    let groups = d
        .field(&f, "groups", |d, n| d.named(n, |d, _, v| group(d, v)))
        .unwrap_or_default();
    Some(BuildFile {
        schema,
        version: version.unwrap_or_else(|| Sp::new(1, root.span)),
        args,
        stages,
        targets,
        groups,
    })
}

fn version(d: &mut Decoder<'_>, node: &Node) -> Option<Sp<u32>> {
    let version = d.unsigned::<u32>(node)?;
    if version.value != 1 {
        d.report(
            Diagnostic::error(
                Code::UnsupportedVersion,
                format!("unsupported format version {}", version.value),
            )
            .with_label(node.span, "this kiln understands version 1 only")
            .with_help("write `version: 1`"),
        );
    }
    Some(version)
}

fn arg(d: &mut Decoder<'_>, node: &Node) -> Option<Arg> {
    match &node.kind {
        NodeKind::Null => Some(Arg::default()),
        NodeKind::Map(_) => {
            let f = d.fields(node, "an arg", &["default", "description"])?;
            Some(Arg {
                default: d.field(&f, "default", |d, n| match n.kind {
                    NodeKind::Null => None,
                    _ => d.text(n),
                }),
                description: d
                    .field(&f, "description", |d, n| d.string(n))
                    .map(|s| s.value),
            })
        }
        _ => Some(Arg {
            default: Some(d.text(node)?),
            description: None,
        }),
    }
}

const STAGE_KEYS: &[&str] = &[
    "from",
    "platform",
    "description",
    "packages",
    "env",
    "workdir",
    "user",
    "steps",
    "image",
];

fn stage(d: &mut Decoder<'_>, node: &Node) -> Option<Stage> {
    let f = d.fields(node, "a stage", STAGE_KEYS)?;
    let from = d.required(&f, "from", "stage", |d, n| d.string(n));
    let stage = Stage {
        from: from.unwrap_or_default(),
        platform: d.field(&f, "platform", |d, n| d.string(n)),
        description: d
            .field(&f, "description", |d, n| d.string(n))
            .map(|s| s.value),
        packages: d.field(&f, "packages", packages).unwrap_or_default(),
        env: d
            .field(&f, "env", |d, n| d.string_map(n))
            .unwrap_or_default(),
        workdir: d.field(&f, "workdir", |d, n| d.string(n)),
        user: d.field(&f, "user", |d, n| d.text(n)),
        steps: d
            .field(&f, "steps", |d, n| d.list(n, step))
            .unwrap_or_default(),
        image: d.field(&f, "image", image_config),
    };
    Some(stage)
}

/// A step's kind is the one step-kind key it has; `run` takes `env`, `user` and `workdir`
/// as its own options.
fn step(d: &mut Decoder<'_>, node: &Node) -> Option<Sp<Step>> {
    let Some(entries) = node.as_map() else {
        d.type_mismatch(node, "a step (a map such as `run: make`)");
        return None;
    };
    let keys: Vec<(&str, &Node)> = entries
        .iter()
        .filter_map(|(k, _)| match &k.kind {
            NodeKind::Str(s) => Some((s.as_str(), k)),
            _ => None,
        })
        .collect();
    let kinds: Vec<(&str, &Node)> = keys
        .iter()
        .copied()
        .filter(|(k, _)| STEP_KINDS.contains(k))
        .collect();
    let kind = if keys.iter().any(|(k, _)| *k == "run") {
        "run"
    } else {
        match kinds.as_slice() {
            [(only, _)] => only,
            [] => {
                no_step_kind(d, node, &keys);
                return None;
            }
            [(first, _), (second, second_key), ..] => {
                let message = format!(
                    "a step can do only one thing, but this one has `{first}` and `{second}`"
                );
                d.report(
                    Diagnostic::error(Code::AmbiguousStep, message)
                        .with_label(second_key.span, format!("`{second}` is a second step kind"))
                        .with_help("split it into two steps, each its own `- ` list item"),
                );
                return None;
            }
        }
    };
    let step = match kind {
        "run" => Step::Run(run_step(d, node)?),
        "copy" => Step::Copy(CopyStep {
            copy: single(d, node, "copy", copy)?,
        }),
        "download" => Step::Download(DownloadStep {
            download: single(d, node, "download", download)?,
        }),
        "env" => Step::Env(EnvStep {
            env: single(d, node, "env", |d, n| d.string_map(n))?,
        }),
        "workdir" => Step::Workdir(WorkdirStep {
            workdir: single(d, node, "workdir", |d, n| d.string(n))?,
        }),
        "user" => Step::User(UserStep {
            user: single(d, node, "user", |d, n| d.text(n))?,
        }),
        "mkdir" => Step::Mkdir(MkdirStep {
            mkdir: single(d, node, "mkdir", mkdir)?,
        }),
        "symlink" => Step::Symlink(SymlinkStep {
            symlink: single(d, node, "symlink", symlink)?,
        }),
        "packages" => Step::Packages(PackagesStep {
            packages: single(d, node, "packages", packages)?,
        }),
        _ => unreachable!("kind is one of STEP_KINDS"),
    };
    let span = keys.first().map_or(node.span, |(_, k)| k.span);
    Some(Sp::new(step, span))
}

fn no_step_kind(d: &mut Decoder<'_>, node: &Node, keys: &[(&str, &Node)]) {
    let message = format!("this step at {} does not say what to do", d.path());
    let mut diagnostic = Diagnostic::error(Code::UnknownKey, message);
    diagnostic = match keys.first() {
        Some((key, key_node)) => diagnostic
            .with_label(key_node.span, format!("`{key}` is not a step kind"))
            .with_help(suggest::help_for(key, STEP_KINDS)),
        None => diagnostic
            .with_label(d.label_span(node), "empty step")
            .with_help(format!(
                "a step is a map with one of {}",
                suggest::quoted_list(STEP_KINDS)
            )),
    };
    d.report(diagnostic);
}

/// Steps other than `run` have exactly one key: their kind.
fn single<T>(
    d: &mut Decoder<'_>,
    node: &Node,
    kind: &'static str,
    f: impl FnOnce(&mut Decoder<'_>, &Node) -> Option<T>,
) -> Option<T> {
    let fields = d.fields(node, &format!("a `{kind}` step"), &[kind])?;
    d.field(&fields, kind, f)
}

const RUN_KEYS: &[&str] = &[
    "run", "mounts", "network", "security", "env", "user", "workdir",
];

fn run_step(d: &mut Decoder<'_>, node: &Node) -> Option<RunStep> {
    let f = d.fields(node, "a `run` step", RUN_KEYS)?;
    let run = d.field(&f, "run", command);
    Some(RunStep {
        mounts: d
            .field(&f, "mounts", |d, n| d.list(n, mount))
            .unwrap_or_default(),
        network: d.field(&f, "network", |d, n| {
            d.choice(
                n,
                &[
                    ("default", Network::Default),
                    ("none", Network::None),
                    ("host", Network::Host),
                ],
            )
        }),
        security: d.field(&f, "security", |d, n| {
            d.choice(
                n,
                &[
                    ("sandbox", Security::Sandbox),
                    ("insecure", Security::Insecure),
                ],
            )
        }),
        env: d
            .field(&f, "env", |d, n| d.string_map(n))
            .unwrap_or_default(),
        user: d.field(&f, "user", |d, n| d.text(n)),
        workdir: d.field(&f, "workdir", |d, n| d.string(n)),
        run: run?,
    })
}

/// A shell string or an argv list.
fn command(d: &mut Decoder<'_>, node: &Node) -> Option<Sp<Command>> {
    match &node.kind {
        NodeKind::Str(s) => Some(Sp::new(
            Command::Shell(Sp::new(s.clone(), node.span)),
            node.span,
        )),
        NodeKind::Seq(_) => {
            let argv = d.list(node, |d, n| d.text(n))?;
            if argv.is_empty() {
                d.report(
                    Diagnostic::error(Code::InvalidValue, format!("empty command at {}", d.path()))
                        .with_label(node.span, "nothing to run")
                        .with_help("give the program and its arguments, e.g. `[make, release]`"),
                );
                return None;
            }
            Some(Sp::new(Command::Argv(argv), node.span))
        }
        _ => {
            d.type_mismatch(node, "a command (a shell string or a list of arguments)");
            None
        }
    }
}

fn mount(d: &mut Decoder<'_>, node: &Node) -> Option<Sp<Mount>> {
    let Some(entries) = node.as_map() else {
        d.type_mismatch(node, "a mount (a map such as `cache: /root/.cache`)");
        return None;
    };
    let kinds: Vec<(&str, &Node)> = entries
        .iter()
        .filter_map(|(k, _)| match &k.kind {
            NodeKind::Str(s) if MOUNT_KINDS.contains(&s.as_str()) => Some((s.as_str(), k)),
            _ => None,
        })
        .collect();
    let (kind, kind_key) = match kinds.as_slice() {
        [one] => *one,
        [] => {
            let first = entries.first().and_then(|(k, _)| match &k.kind {
                NodeKind::Str(s) => Some((s.clone(), k.span)),
                _ => None,
            });
            let message = format!("this mount at {} does not say its kind", d.path());
            let diagnostic = match first {
                Some((key, span)) => Diagnostic::error(Code::UnknownKey, message)
                    .with_label(span, format!("`{key}` is not a mount kind"))
                    .with_help(suggest::help_for(&key, MOUNT_KINDS)),
                None => Diagnostic::error(Code::UnknownKey, message)
                    .with_label(d.label_span(node), "empty mount")
                    .with_help(format!(
                        "a mount is a map with one of {}",
                        suggest::quoted_list(MOUNT_KINDS)
                    )),
            };
            d.report(diagnostic);
            return None;
        }
        [(first, _), (second, second_key), ..] => {
            d.report(
                Diagnostic::error(
                    Code::AmbiguousStep,
                    format!("a mount has one kind, but this one has `{first}` and `{second}`"),
                )
                .with_label(second_key.span, "second mount kind")
                .with_help("write two mounts, each its own `- ` list item"),
            );
            return None;
        }
    };
    let span = kind_key.span;
    let mount = match kind {
        "cache" => {
            let f = d.fields(node, "a cache mount", &["cache", "id", "sharing"])?;
            Mount::Cache(CacheMount {
                cache: d.field(&f, "cache", |d, n| d.string(n))?,
                id: d.field(&f, "id", |d, n| d.string(n)),
                sharing: d.field(&f, "sharing", |d, n| {
                    d.choice(
                        n,
                        &[
                            ("shared", Sharing::Shared),
                            ("private", Sharing::Private),
                            ("locked", Sharing::Locked),
                        ],
                    )
                }),
            })
        }
        "secret" => {
            let f = d.fields(
                node,
                "a secret mount",
                &["secret", "target", "env", "required"],
            )?;
            Mount::Secret(SecretMount {
                secret: d.field(&f, "secret", |d, n| d.string(n))?,
                target: d.field(&f, "target", |d, n| d.string(n)),
                env: d.field(&f, "env", |d, n| d.string(n)),
                required: d.field(&f, "required", |d, n| d.bool(n)),
            })
        }
        "ssh" => {
            let f = d.fields(node, "an ssh mount", &["ssh", "target", "required"])?;
            Mount::Ssh(SshMount {
                ssh: d.field(&f, "ssh", |d, n| d.string(n))?,
                target: d.field(&f, "target", |d, n| d.string(n)),
                required: d.field(&f, "required", |d, n| d.bool(n)),
            })
        }
        "tmpfs" => {
            let f = d.fields(node, "a tmpfs mount", &["tmpfs", "size"])?;
            Mount::Tmpfs(TmpfsMount {
                tmpfs: d.field(&f, "tmpfs", |d, n| d.string(n))?,
                size: d.field(&f, "size", |d, n| d.unsigned(n)),
            })
        }
        "bind" => {
            let f = d.fields(
                node,
                "a bind mount",
                &["bind", "from", "context", "source", "readonly"],
            )?;
            Mount::Bind(BindMount {
                bind: d.field(&f, "bind", |d, n| d.string(n))?,
                from: d.field(&f, "from", |d, n| d.string(n)),
                context: d.field(&f, "context", |d, n| d.string(n)),
                source: d.field(&f, "source", |d, n| d.string(n)),
                readonly: d.field(&f, "readonly", |d, n| d.bool(n)),
            })
        }
        _ => unreachable!("kind is one of MOUNT_KINDS"),
    };
    Some(Sp::new(mount, span))
}

const COPY_KEYS: &[&str] = &[
    "src", "dst", "from", "context", "git", "exclude", "chown", "chmod", "link",
];

fn copy(d: &mut Decoder<'_>, node: &Node) -> Option<Copy> {
    let f = d.fields(node, "a copy (a map with `src` and `dst`)", COPY_KEYS)?;
    let src = d.required(&f, "src", "copy", |d, n| d.one_or_many(n));
    let dst = d.required(&f, "dst", "copy", |d, n| d.string(n));
    Some(Copy {
        from: d.field(&f, "from", |d, n| d.string(n)),
        context: d.field(&f, "context", |d, n| d.string(n)),
        git: d.field(&f, "git", git_source),
        exclude: d
            .field(&f, "exclude", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        chown: d.field(&f, "chown", |d, n| d.text(n)),
        chmod: d.field(&f, "chmod", |d, n| d.text(n)),
        link: d.field(&f, "link", |d, n| d.bool(n)),
        src: src?,
        dst: dst?,
    })
}

fn download(d: &mut Decoder<'_>, node: &Node) -> Option<Download> {
    let f = d.fields(
        node,
        "a download (a map with `url`, `sha256`, `dst`)",
        &[
            "url", "sha256", "dst", "mode", "chown", "insecure", "extract",
        ],
    )?;
    let url = d.required(&f, "url", "download", per_platform);
    let dst = d.required(&f, "dst", "download", |d, n| d.string(n));
    Some(Download {
        sha256: d.field(&f, "sha256", per_platform),
        mode: d.field(&f, "mode", |d, n| d.text(n)),
        chown: d.field(&f, "chown", |d, n| d.text(n)),
        insecure: d.field(&f, "insecure", |d, n| d.bool(n)),
        extract: d.field(&f, "extract", |d, n| d.bool(n)),
        url: url?,
        dst: dst?,
    })
}

fn per_platform(d: &mut Decoder<'_>, node: &Node) -> Option<PerPlatform> {
    match &node.kind {
        NodeKind::Map(_) => Some(PerPlatform::ByPlatform(
            d.named(node, |d, _, v| d.string(v))?,
        )),
        NodeKind::Str(_) => Some(PerPlatform::All(d.string(node)?)),
        _ => {
            d.type_mismatch(node, "a string or a map of platform to string");
            None
        }
    }
}

fn mkdir(d: &mut Decoder<'_>, node: &Node) -> Option<Mkdir> {
    if let NodeKind::Str(_) = node.kind {
        return Some(Mkdir {
            path: d.string(node)?,
            mode: None,
            chown: None,
        });
    }
    let f = d.fields(
        node,
        "a directory (a path, or a map with `path`)",
        &["path", "mode", "chown"],
    )?;
    let path = d.required(&f, "path", "mkdir", |d, n| d.string(n));
    Some(Mkdir {
        mode: d.field(&f, "mode", |d, n| d.text(n)),
        chown: d.field(&f, "chown", |d, n| d.text(n)),
        path: path?,
    })
}

fn symlink(d: &mut Decoder<'_>, node: &Node) -> Option<Symlink> {
    let f = d.fields(
        node,
        "a symlink (a map with `target` and `path`)",
        &["target", "path"],
    )?;
    let target = d.required(&f, "target", "symlink", |d, n| d.string(n));
    let path = d.required(&f, "path", "symlink", |d, n| d.string(n));
    Some(Symlink {
        target: target?,
        path: path?,
    })
}

const IMAGE_KEYS: &[&str] = &[
    "entrypoint",
    "cmd",
    "env",
    "user",
    "workdir",
    "expose",
    "volumes",
    "labels",
    "healthcheck",
    "stopsignal",
];

fn image_config(d: &mut Decoder<'_>, node: &Node) -> Option<ImageConfig> {
    let f = d.fields(node, "an image config", IMAGE_KEYS)?;
    Some(ImageConfig {
        entrypoint: d.field(&f, "entrypoint", command),
        cmd: d.field(&f, "cmd", command),
        env: d
            .field(&f, "env", |d, n| d.string_map(n))
            .unwrap_or_default(),
        user: d.field(&f, "user", |d, n| d.text(n)),
        workdir: d.field(&f, "workdir", |d, n| d.string(n)),
        expose: d
            .field(&f, "expose", |d, n| d.list(n, |d, n| d.text(n)))
            .unwrap_or_default(),
        volumes: d
            .field(&f, "volumes", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        labels: d
            .field(&f, "labels", |d, n| d.string_map(n))
            .unwrap_or_default(),
        healthcheck: d.field(&f, "healthcheck", healthcheck),
        stopsignal: d.field(&f, "stopsignal", |d, n| d.string(n)),
    })
}

fn healthcheck(d: &mut Decoder<'_>, node: &Node) -> Option<Healthcheck> {
    let f = d.fields(
        node,
        "a healthcheck",
        &[
            "test",
            "disable",
            "interval",
            "timeout",
            "start_period",
            "retries",
        ],
    )?;
    let check = Healthcheck {
        test: d.field(&f, "test", command),
        disable: d.field(&f, "disable", |d, n| d.bool(n)),
        interval: d.field(&f, "interval", |d, n| d.string(n)),
        timeout: d.field(&f, "timeout", |d, n| d.string(n)),
        start_period: d.field(&f, "start_period", |d, n| d.string(n)),
        retries: d.field(&f, "retries", |d, n| d.unsigned(n)),
    };
    if !f.has("test") && !f.has("disable") {
        d.report(
            Diagnostic::error(
                Code::MissingKey,
                format!("missing key `test` in healthcheck at {}", d.path()),
            )
            .with_label(d.label_span(node), "this healthcheck has no `test`")
            .with_help("add `test: <command>`, or `disable: true` to turn off an inherited check"),
        );
    }
    Some(check)
}

const TARGET_KEYS: &[&str] = &[
    "stage",
    "description",
    "tags",
    "platforms",
    "args",
    "labels",
    "output",
    "cache_from",
    "cache_to",
];

fn target(d: &mut Decoder<'_>, node: &Node) -> Option<Target> {
    let f = d.fields(node, "a target", TARGET_KEYS)?;
    let stage = d.required(&f, "stage", "target", |d, n| d.string(n));
    Some(Target {
        stage: stage.unwrap_or_default(),
        description: d
            .field(&f, "description", |d, n| d.string(n))
            .map(|s| s.value),
        tags: d
            .field(&f, "tags", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        platforms: d
            .field(&f, "platforms", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        args: d
            .field(&f, "args", |d, n| d.string_map(n))
            .unwrap_or_default(),
        labels: d
            .field(&f, "labels", |d, n| d.string_map(n))
            .unwrap_or_default(),
        output: d.field(&f, "output", output),
        cache_from: d
            .field(&f, "cache_from", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        cache_to: d
            .field(&f, "cache_to", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
    })
}

const OUTPUT_KINDS: &[(&str, OutputKind)] = &[
    ("image", OutputKind::Image),
    ("registry", OutputKind::Registry),
    ("local", OutputKind::Local),
    ("tar", OutputKind::Tar),
];

fn output(d: &mut Decoder<'_>, node: &Node) -> Option<Output> {
    if let NodeKind::Str(_) = node.kind {
        return Some(Output {
            kind: d.choice(node, OUTPUT_KINDS)?,
            dest: None,
        });
    }
    let f: Fields<'_> = d.fields(
        node,
        "an output (`image`, `local`, ... or a map with `type`)",
        &["type", "dest"],
    )?;
    let kind = d.required(&f, "type", "output", |d, n| d.choice(n, OUTPUT_KINDS))?;
    Some(Output {
        kind,
        dest: d.field(&f, "dest", |d, n| d.string(n)),
    })
}

fn group(d: &mut Decoder<'_>, node: &Node) -> Option<Group> {
    if let NodeKind::Seq(_) = node.kind {
        let targets = d.list(node, |d, n| d.string(n))?;
        return Some(Group {
            targets,
            description: None,
        });
    }
    let f = d.fields(
        node,
        "a group (a list of names, or a map with `targets`)",
        &["targets", "description"],
    )?;
    Some(Group {
        targets: d
            .required(&f, "targets", "group", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        description: d
            .field(&f, "description", |d, n| d.string(n))
            .map(|s| s.value),
    })
}

/// A list of package names, or a map with `install`, `manager` and `recommends`.
fn packages(d: &mut Decoder<'_>, node: &Node) -> Option<Packages> {
    if let NodeKind::Seq(_) = node.kind {
        let install = d.list(node, |d, n| d.string(n))?;
        return Some(Packages {
            install,
            ..Default::default()
        });
    }
    let f = d.fields(
        node,
        "packages (a list of names, or a map with `install`)",
        &["install", "manager", "recommends", "repositories"],
    )?;
    let install = d.required(&f, "install", "packages", |d, n| {
        d.list(n, |d, n| d.string(n))
    });
    let managers = [
        ("apt", PackageManager::Apt),
        ("apk", PackageManager::Apk),
        ("dnf", PackageManager::Dnf),
    ];
    Some(Packages {
        manager: d.field(&f, "manager", |d, n| d.choice(n, &managers)),
        recommends: d.field(&f, "recommends", |d, n| d.bool(n)),
        repositories: d
            .field(&f, "repositories", |d, n| {
                d.list(n, |d, n| {
                    let span = n.span;
                    repository(d, n).map(|value| Sp { value, span })
                })
            })
            .unwrap_or_default(),
        install: install?,
    })
}

fn repository(d: &mut Decoder<'_>, node: &Node) -> Option<Repository> {
    let f = d.fields(
        node,
        "a repository (a map with `name`, `url` and `key`)",
        &["name", "url", "suite", "components", "key"],
    )?;
    let name = d.required(&f, "name", "repository", |d, n| d.string(n));
    let url = d.required(&f, "url", "repository", |d, n| d.string(n));
    let key = d.required(&f, "key", "repository", |d, n| {
        let k = d.fields(
            n,
            "a signing key (a map with `url` and `sha256`)",
            &["url", "sha256"],
        )?;
        let url = d.required(&k, "url", "signing key", |d, n| d.string(n));
        let sha256 = d.required(&k, "sha256", "signing key", |d, n| d.string(n));
        Some(RepositoryKey {
            url: url?,
            sha256: sha256?,
        })
    });
    Some(Repository {
        suite: d.field(&f, "suite", |d, n| d.string(n)),
        components: d
            .field(&f, "components", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        name: name?,
        url: url?,
        key: key?,
    })
}

fn git_source(d: &mut Decoder<'_>, node: &Node) -> Option<GitSource> {
    let f = d.fields(
        node,
        "a git source (a map with `url`)",
        &["url", "ref", "commit", "keep_git_dir", "subdir"],
    )?;
    let url = d.required(&f, "url", "git source", |d, n| d.string(n));
    Some(GitSource {
        reference: d.field(&f, "ref", |d, n| d.text(n)),
        commit: d.field(&f, "commit", |d, n| d.string(n)),
        keep_git_dir: d.field(&f, "keep_git_dir", |d, n| d.bool(n)),
        subdir: d.field(&f, "subdir", |d, n| d.string(n)),
        url: url?,
    })
}
