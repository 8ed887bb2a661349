//! BuildKit's status stream for builds that the engine's gRPC API runs (the secrets path):
//! our own `Control.Status` client over the engine's `/grpc` endpoint (an HTTP upgrade to
//! h2c on its unix socket), so those builds get the same live view.

use bollard::moby::buildkit::v1::StatusRequest;
use bollard::moby::buildkit::v1::control_client::ControlClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::{Channel, Endpoint};

/// A Control client on the engine at `DOCKER_HOST` (unix sockets only).
pub async fn control_client(host: &str) -> Result<ControlClient<Channel>, String> {
    let path = host
        .strip_prefix("unix://")
        .ok_or_else(|| format!("live steps need a unix socket, not {host}"))?
        .to_string();
    // The URI is not used: the connector always dials the engine's socket.
    let endpoint = Endpoint::try_from("http://engine.invalid").map_err(|e| e.to_string())?;
    let channel = endpoint
        .connect_with_connector(tower::service_fn(move |_| {
            let path = path.clone();
            async move {
                let mut stream = tokio::net::UnixStream::connect(&path).await?;
                stream
                    .write_all(b"POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
                    .await?;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    stream.read_exact(&mut byte).await?;
                    head.push(byte[0]);
                }
                if !head.starts_with(b"HTTP/1.1 101") {
                    return Err(std::io::Error::other("the engine refused the /grpc upgrade"));
                }
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
            }
        }))
        .await
        .map_err(|e| e.to_string())?;
    Ok(ControlClient::new(channel))
}

/// Feed the status of build `reference` to `each` until the build ends.
pub async fn follow(
    mut client: ControlClient<Channel>,
    reference: String,
    mut each: impl FnMut(&bollard::moby::buildkit::v1::StatusResponse),
) -> Result<(), String> {
    let mut stream = client
        .status(StatusRequest { r#ref: reference })
        .await
        .map_err(|e| e.to_string())?
        .into_inner();
    while let Some(status) = stream.message().await.map_err(|e| e.to_string())? {
        each(&status);
    }
    Ok(())
}
