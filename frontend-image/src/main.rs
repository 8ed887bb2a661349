//! kiln's BuildKit frontend. BuildKit runs this binary (the image's entrypoint) with the
//! gateway API on stdin/stdout: read the kiln file, lower it, solve it, return the image.
//! Logs go to stderr (the daemon's log); stdout is the gRPC wire.

/// mimalloc: lowering allocates many small strings and maps (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod build;
mod errors;
mod gateway;
mod images;
mod load;
mod options;
mod report;
mod request;
mod result;
mod subrequests;
mod timings;
mod transport;
mod unzip;

use kiln_proto::gateway::ReturnRequest;

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
    let request = match build::build(&mut gateway, &options).await {
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
