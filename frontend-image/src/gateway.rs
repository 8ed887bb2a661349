//! A thin client of BuildKit's gateway: solve, read files, resolve image configs, with the
//! caps the daemon announced.

use kiln_proto::gateway::{self, llb_bridge_client::LlbBridgeClient};
use kiln_proto::pb;
use std::collections::BTreeSet;
use tonic::transport::Channel;

#[derive(Clone)]
pub struct Gateway {
    client: LlbBridgeClient<Channel>,
    pub llb_caps: BTreeSet<String>,
    pub gateway_caps: BTreeSet<String>,
    /// The first platform of the first worker, from Ping.
    pub worker_platform: Option<String>,
    /// Caches the client asked to import: every Solve carries them, or BuildKit would not
    /// look in them (a frontend's solves do not inherit the client's `--import-cache`).
    pub cache_imports: Vec<gateway::CacheOptionsEntry>,
}

impl Gateway {
    /// Ping first: it opens the conversation and tells what the daemon can do.
    pub async fn connect(channel: Channel) -> Result<Gateway, tonic::Status> {
        let mut client = LlbBridgeClient::new(channel)
            .max_decoding_message_size(16 << 20)
            .max_encoding_message_size(16 << 20);
        let pong = client.ping(gateway::PingRequest {}).await?.into_inner();
        let enabled = |caps: &[kiln_proto::apicaps::ApiCap]| {
            caps.iter()
                .filter(|c| c.enabled)
                .map(|c| c.id.clone())
                .collect::<BTreeSet<_>>()
        };
        let worker_platform = pong
            .workers
            .first()
            .and_then(|w| w.platforms.first())
            .map(|p| {
                if p.variant.is_empty() {
                    format!("{}/{}", p.os, p.architecture)
                } else {
                    format!("{}/{}/{}", p.os, p.architecture, p.variant)
                }
            });
        Ok(Gateway {
            client,
            llb_caps: enabled(&pong.llb_caps),
            gateway_caps: enabled(&pong.frontend_api_caps),
            worker_platform,
            cache_imports: Vec::new(),
        })
    }

    /// Solve a Definition. With `evaluate` (and the daemon's support for it) the build runs
    /// now, so a failing step comes back here instead of at export time.
    /// Returns the id of the result's ref.
    pub async fn solve(
        &mut self,
        definition: pb::Definition,
        evaluate: bool,
    ) -> Result<String, tonic::Status> {
        let request = gateway::SolveRequest {
            definition: Some(definition),
            allow_result_return: true,
            allow_result_array_ref: true,
            evaluate: evaluate && self.gateway_caps.contains("gateway.solve.evaluate"),
            cache_imports: self.cache_imports.clone(),
            ..Default::default()
        };
        let response = self.client.solve(request).await?.into_inner();
        let id = match response.result.and_then(|r| r.result) {
            Some(gateway::result::Result::Ref(r)) => r.id,
            Some(gateway::result::Result::RefDeprecated(id)) => id,
            _ => response.r#ref,
        };
        Ok(id)
    }

    /// At most `max_bytes` of a file in a solved ref (every read is bounded): a file larger
    /// than kiln reads is reported as too large, rather than failing the gRPC message size.
    pub async fn read_file_at_most(
        &mut self,
        reference: &str,
        path: &str,
        max_bytes: usize,
    ) -> Result<Vec<u8>, tonic::Status> {
        let request = gateway::ReadFileRequest {
            r#ref: reference.to_string(),
            file_path: path.to_string(),
            range: Some(gateway::FileRange {
                offset: 0,
                length: max_bytes as i64,
            }),
        };
        Ok(self.client.read_file(request).await?.into_inner().data)
    }

    /// Whether a path exists in a solved ref (following nothing: a symlink counts).
    pub async fn exists(&mut self, reference: &str, path: &str) -> bool {
        let request = gateway::StatFileRequest {
            r#ref: reference.to_string(),
            path: path.to_string(),
        };
        self.client.stat_file(request).await.is_ok()
    }

    /// The config of an image, as JSON bytes, and the digest of the manifest (or index) it
    /// came from, which pins the image the build then loads.
    pub async fn image_config(
        &mut self,
        reference: &str,
        platform: &pb::Platform,
        mode: &str,
    ) -> Result<(String, Vec<u8>), tonic::Status> {
        let request = gateway::ResolveImageConfigRequest {
            r#ref: reference.to_string(),
            platform: Some(platform.clone()),
            resolve_mode: mode.to_string(),
            log_name: format!("[internal] load metadata for {reference}"),
            ..Default::default()
        };
        let response = self.client.resolve_image_config(request).await?;
        let response = response.into_inner();
        Ok((response.digest, response.config))
    }

    pub async fn warn(&mut self, request: gateway::WarnRequest) -> Result<(), tonic::Status> {
        self.client.warn(request).await.map(|_| ())
    }

    pub async fn finish(&mut self, request: gateway::ReturnRequest) -> Result<(), tonic::Status> {
        self.client.r#return(request).await.map(|_| ())
    }
}

/// A Definition of a single op (plus the terminal op that selects it).
pub fn single_op_definition(op: &pb::Op, name: &str, caps: &[&'static str]) -> pb::Definition {
    kiln_lowering::chain_definition(vec![(op.clone(), name.to_string(), caps.to_vec())])
}
