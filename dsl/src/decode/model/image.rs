//! Decoding of a stage's image config and health check.

use super::step::command;
use crate::decode::Decoder;
use crate::diagnostic::catalogue;
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

pub(super) fn image_config(d: &mut Decoder<'_>, node: &mut Node) -> Option<ImageConfig> {
    let mut f = d.fields(node, "an image config", IMAGE_KEYS)?;
    Some(ImageConfig {
        entrypoint: d.field(&mut f, "entrypoint", command),
        cmd: d.field(&mut f, "cmd", command),
        env: d.field_or_default(&mut f, "env", Decoder::string_map),
        user: d.field(&mut f, "user", Decoder::text),
        workdir: d.field(&mut f, "workdir", Decoder::string),
        expose: d.field_or_default(&mut f, "expose", |d, n| d.list(n, Decoder::text)),
        volumes: d.field_or_default(&mut f, "volumes", Decoder::string_list),
        labels: d.field_or_default(&mut f, "labels", Decoder::string_map),
        healthcheck: d.field(&mut f, "healthcheck", healthcheck),
        stopsignal: d.field(&mut f, "stopsignal", Decoder::string),
    })
}

pub(super) fn healthcheck(d: &mut Decoder<'_>, node: &mut Node) -> Option<Healthcheck> {
    let mut f = d.fields(
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
        test: d.field(&mut f, "test", command),
        disable: d.field(&mut f, "disable", Decoder::bool),
        interval: d.field(&mut f, "interval", Decoder::string),
        timeout: d.field(&mut f, "timeout", Decoder::string),
        start_period: d.field(&mut f, "start_period", Decoder::string),
        retries: d.field(&mut f, "retries", Decoder::unsigned),
    };
    if !f.has("test") && !f.has("disable") {
        let span = d.label_span(node);
        d.report(catalogue::healthcheck_without_test(&d.path(), span));
    }
    Some(check)
}
