//! gRPC over our own stdin/stdout: BuildKit serves the gateway API on the other end of the
//! pipes (HTTP/2 with prior knowledge). Stdout is the wire: nothing else may write to it.

use hyper_util::rt::TokioIo;
use std::os::fd::AsFd;
use std::sync::{Arc, Mutex};
use tokio::net::unix::pipe;
use tonic::transport::{Channel, Endpoint, Uri};

/// Connect at once: BuildKit's HTTP/2 server drops a client that sends no preface in 10 s.
pub async fn stdio_channel() -> Result<Channel, Box<dyn std::error::Error>> {
    let stdin = std::io::stdin().as_fd().try_clone_to_owned()?;
    let stdout = std::io::stdout().as_fd().try_clone_to_owned()?;
    let io = tokio::io::join(
        pipe::Receiver::from_owned_fd(stdin)?,
        pipe::Sender::from_owned_fd(stdout)?,
    );
    // The pipes can be "dialled" once; a reconnect attempt gets an error instead.
    let slot = Arc::new(Mutex::new(Some(io)));
    let channel = Endpoint::from_static("http://localhost")
        // BuildKit's error trailers carry stack traces and ops: far over hyper's 16 KiB default.
        .http2_max_header_list_size(16 << 20)
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let slot = slot.clone();
            async move {
                let io = slot.lock().ok().and_then(|mut s| s.take()).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::NotConnected,
                        "the stdio transport was already used",
                    )
                })?;
                Ok::<_, std::io::Error>(TokioIo::new(io))
            }
        }))
        .await?;
    Ok(channel)
}
