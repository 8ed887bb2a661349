//! BuildKit wire types, generated from kiln's own `.proto` declarations (`proto/`): the LLB
//! ops (`pb`), the gateway API (`gateway`, with the `LLBBridge` client and server), caps,
//! worker records, fsutil stats and `google.rpc.Status`.

#![allow(clippy::all, clippy::pedantic)]

mod generated {
    include!(concat!(env!("OUT_DIR"), "/buildkit.rs"));
}

pub use generated::fsutil::types as fsutil;
pub use generated::google::rpc;
pub use generated::moby::buildkit::v1::apicaps;
pub use generated::moby::buildkit::v1::frontend as gateway;
pub use generated::moby::buildkit::v1::types as worker;
pub use generated::pb;

/// `sha256:<hex>` of bytes: how BuildKit names an op (the digest of its exact bytes).
pub fn digest(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let hash = sha256(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in hash {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
