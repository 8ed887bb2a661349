//! kiln's BuildKit frontend. BuildKit runs this binary (the image's entrypoint) with the
//! gateway API on stdin/stdout: read the kiln file, lower it, solve it, return the image.
//! Logs go to stderr (the daemon's log); stdout is the gRPC wire.

/// mimalloc: lowering allocates many small strings and maps (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod build;
mod errors;
mod explain;
mod gateway;
mod group_hint;
mod images;
mod lint;
mod load;
mod report;
mod result;
mod subrequests;
mod timings;
mod transport;
mod unzip;

use futures_util::FutureExt;
use kiln_proto::gateway::ReturnRequest;
use kiln_request::options;

/// The error for a panic inside the frontend, with the panic's message.
fn internal_error(panic: &(dyn std::any::Any + Send)) -> kiln_proto::rpc::Status {
    let message = (panic.downcast_ref::<&str>().copied())
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    errors::status(
        errors::INTERNAL,
        format!(
            "kiln-frontend internal error: {message}\nThis is a bug in kiln, not in your build file: please report it with the file (`kiln check` and `kiln llb` on it may show more)."
        ),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("unzip") {
        std::process::exit(unzip::main(&args[1..]));
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kiln-frontend: cannot start: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(run());
    // Exit at once: BuildKit waits for the process, and the pipes stay open until we go.
    std::process::exit(code);
}

async fn run() -> i32 {
    timings::mark("start");
    let channel = match transport::stdio_channel().await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kiln-frontend: cannot talk to BuildKit over stdin/stdout: {e}");
            return 1;
        }
    };
    let mut gateway = match gateway::Gateway::connect(channel).await {
        Ok(g) => g,
        Err(e) => {
            eprintln!("kiln-frontend: ping failed: {e}");
            return 1;
        }
    };
    if std::env::var_os("KILN_FRONTEND_FLOOR").is_some() {
        // Benchmark floor: what any `# syntax=` image costs on this daemon (see scripts/bench.sh).
        let error = errors::status(errors::UNKNOWN, "kiln floor image: ping, then this error");
        let _ = gateway
            .finish(ReturnRequest {
                result: None,
                error: Some(error),
            })
            .await;
        return 0;
    }
    timings::mark("ping");
    let options = options::Options::from_env();
    // A panic is a bug in kiln; it must still end the build with a message the user sees,
    // not a dead frontend process (the default hook has logged it to the daemon's log).
    let built = std::panic::AssertUnwindSafe(build::build(&mut gateway, &options))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| Err(internal_error(panic.as_ref())));
    let request = match built {
        Ok(result) => ReturnRequest {
            result: Some(result),
            error: None,
        },
        Err(status) => {
            eprintln!("kiln-frontend: {}", status.message);
            ReturnRequest {
                result: None,
                error: Some(status),
            }
        }
    };
    timings::mark("build");
    let finished = gateway.finish(request).await;
    timings::mark("return");
    timings::report();
    match finished {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kiln-frontend: return failed: {e}");
            1
        }
    }
}
