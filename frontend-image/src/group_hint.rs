//! A group builds several targets into one result, one ref per target. A local or tar
//! output writes each to its own folder; an image output cannot hold them, and BuildKit
//! then fails with its own words only ("exporting multiple references to image store is
//! currently unsupported") or, on a registry, pushes a list of same-platform images. The
//! frontend is not told which output the client asked for, so every group build says first
//! what it builds and how to get one image.

use crate::gateway::Gateway;

/// The hint for a build of group `name`.
pub fn text(name: &str, targets: &[String]) -> String {
    format!(
        "kiln: `{name}` is a group of {} targets ({}): a local or tar output (`-o type=local,dest=DIR`) \
         gets a folder per target; an image holds one target: build it with `--target NAME`, \
         or every target as its own image with `kiln bake {name}`",
        targets.len(),
        targets.join(", ")
    )
}

/// Show the hint as a named step of the build's progress, where every client shows it
/// (a `Warn` would reach buildx only, after the build, and not BuildKit v0.8's clients).
pub async fn show(gateway: &Gateway, name: &str, targets: &[String]) {
    let notice = kiln_lowering::chain_definition(kiln_lowering::notice_op(&text(name, targets)));
    // The hint must never fail the build it is about.
    let _ = gateway.clone().solve(notice, true).await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hint_names_the_group_its_targets_and_the_ways_out() {
        let said = super::text("default", &["api".into(), "worker".into()]);
        assert_eq!(
            said,
            "kiln: `default` is a group of 2 targets (api, worker): a local or tar output \
             (`-o type=local,dest=DIR`) gets a folder per target; an image holds one target: \
             build it with `--target NAME`, or every target as its own image with `kiln bake \
             default`"
        );
    }
}
