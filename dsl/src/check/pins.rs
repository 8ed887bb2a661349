//! `--strict`: images pulled by tag can change under a build; pinning them by digest makes
//! builds reproducible.

use super::{Checker, Source};
use crate::diagnostic::catalogue;
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
        cx.report(catalogue::unpinned_image(&image, from.span));
    }
}
