//! Base images load the digest their config was resolved from (`reference@digest`), as the
//! Dockerfile frontend pins them; a reference the file pins itself is kept as written, and
//! what the resolver is asked about (`Lowered::base_images`) is the reference unpinned.

mod common;

use kiln_lowering::{LowerOptions, lower};
use kiln_proto::pb;
use prost::Message;

const DIGEST: &str = "sha256:05e518c39d1968052e1de5c3ec0c7cb6b0780c00bfbd456a178e433223381fc6";
const OWN: &str = "sha256:aef5a086d9883efb44691ba2ea2b561c29566f892be5431c1a4cdb9ca7f10ffb";

fn image_identifiers(def: &pb::Definition) -> Vec<String> {
    let ops = def
        .def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).unwrap());
    ops.filter_map(|op| match op.op {
        Some(pb::op::Op::Source(s)) if s.identifier.starts_with("docker-image://") => {
            Some(s.identifier)
        }
        _ => None,
    })
    .collect()
}

#[test]
fn a_resolved_base_is_pinned_to_its_digest() {
    let text = format!(
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps: [{{ run: \"true\" }}]\n  own:\n    from: localhost:5000/debian:bookworm@{OWN}\n    steps: [{{ run: \"true\" }}]\n"
    );
    let (model, file) = common::load_text("pin.kiln.yaml", &text);
    let mut options = LowerOptions {
        target: Some("app".into()),
        ..Default::default()
    };
    let unresolved = lower(&model, &file, &options).unwrap();
    let plain = "docker-image://localhost:5000/busybox:1";
    assert_eq!(image_identifiers(&unresolved.definition), [plain]);

    options
        .base_digests
        .insert("localhost:5000/busybox:1".into(), DIGEST.into());
    let resolved = lower(&model, &file, &options).unwrap();
    let pinned = format!("{plain}@{DIGEST}");
    assert_eq!(image_identifiers(&resolved.definition), [pinned]);
    let asked: Vec<&str> = resolved
        .base_images
        .iter()
        .map(|b| b.reference.as_str())
        .collect();
    assert_eq!(
        asked,
        ["localhost:5000/busybox:1"],
        "the resolver is asked about the tag"
    );

    let own = format!("localhost:5000/debian:bookworm@{OWN}");
    options.target = Some("own".into());
    options.base_digests.insert(own.clone(), DIGEST.into());
    let kept = lower(&model, &file, &options).unwrap();
    assert_eq!(
        image_identifiers(&kept.definition),
        [format!("docker-image://{own}")]
    );
}
