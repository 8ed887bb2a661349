//! Generate Rust types from our .proto declarations with protox (pure Rust; no protoc).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "pb/ops.proto",
        "apicaps/caps.proto",
        "worker/worker.proto",
        "fsutil/stat.proto",
        "google/rpc/status.proto",
        "gateway/gateway.proto",
    ];
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        // Every map is a BTreeMap: sorted keys give deterministic bytes, like Go's marshaller.
        .btree_map(".")
        // A readable JSON form of ops for `kiln llb --format json` and golden tests.
        .type_attribute(".pb", "#[derive(serde::Serialize)]")
        .build_server(true)
        .include_file("buildkit.rs")
        .compile_fds(descriptors)?;
    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
