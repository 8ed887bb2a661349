# syntax=localhost:5000/kiln:dev
# A Rust web service: dependencies and build artefacts live in cache mounts, so a rebuild
# after a source change recompiles only the crate; the runtime image is a slim Debian.
version = 1

variable "RUST_VERSION" { default = "1.83" }
variable "SERVICE" { default = "orders" }

stage "toolchain" {
  from        = "docker.io/library/rust:${RUST_VERSION}-bookworm"
  description = "Rust toolchain with the build tools the crates need"
  packages    = ["pkg-config", "libssl-dev"]
  workdir     = "/src"
}

stage "build" {
  from = "toolchain"
  copy {
    src = ["Cargo.toml", "Cargo.lock"]
    dst = "./"
  }
  copy {
    src = "src/"
    dst = "src/"
  }
  run {
    cmd = "cargo build --release --locked --bin ${SERVICE} && cp target/release/${SERVICE} /usr/local/bin/service"
    mount {
      cache   = "/usr/local/cargo/registry"
      id      = "cargo-registry"
      sharing = "locked"
    }
    mount {
      cache = "/src/target"
      id    = "orders-target"
    }
  }
}

stage "runtime" {
  from     = "localhost:5000/debian:bookworm"
  packages = ["ca-certificates", "libssl3"]
  run { cmd = ["useradd", "--system", "--uid", "10001", "service"] }
  copy {
    from  = "build"
    src   = "/usr/local/bin/service"
    dst   = "/usr/local/bin/service"
    chmod = "0755"
  }
  image {
    entrypoint = ["/usr/local/bin/service"]
    cmd        = ["--listen", "0.0.0.0:8080"]
    user       = "service"
    expose     = [8080]
    env        = { RUST_LOG = "info" }
    labels     = { "org.opencontainers.image.title" = "${SERVICE}" }
    healthcheck {
      test     = ["/usr/local/bin/service", "--health"]
      interval = "30s"
      timeout  = "3s"
      retries  = 3
    }
    stopsignal = "SIGTERM"
  }
}

target "orders" {
  stage       = "runtime"
  description = "The orders service image"
  tags        = ["localhost:5000/orders:latest"]
}
