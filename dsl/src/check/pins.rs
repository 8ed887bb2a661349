//! `--strict`: images pulled by tag can change under a build; pinning them by digest makes
//! builds reproducible.

use super::{Checker, Source};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Step;
use crate::reference;
use crate::span::Sp;

pub(super) fn check(cx: &mut Checker<'_>) {
    let model = cx.model;
    let mut froms: Vec<&Sp<String>> = Vec::new();
    for stage in model.stages.values() {
        froms.push(&stage.from);
        for step in &stage.steps {
            if let Step::Copy(c) = &step.value {
                froms.extend(c.copy.from.iter());
            }
        }
    }
    for from in froms {
        let Source::Image(image) = cx.resolve_from(from) else {
            continue;
        };
        let Ok(parsed) = reference::parse(&image) else {
            continue;
        };
        if parsed.is_pinned() {
            continue;
        }
        cx.report(
            Diagnostic::warning(Code::UnpinnedImage, format!("`{image}` is not pinned by digest"))
                .with_label(from.span, "a tag can point at other content tomorrow")
                .with_help(format!("pin it: `{image}@sha256:<digest>` (the digest `docker buildx imagetools inspect` shows)")),
        );
    }
}
