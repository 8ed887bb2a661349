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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in sha256(bytes) {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(
            super::digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
