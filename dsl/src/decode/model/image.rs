//! Decoding of a stage's image config and health check.

use super::step::command;
use crate::decode::Decoder;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::node::Node;

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

pub(super) fn image_config(d: &mut Decoder<'_>, node: &Node) -> Option<ImageConfig> {
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

pub(super) fn healthcheck(d: &mut Decoder<'_>, node: &Node) -> Option<Healthcheck> {
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
