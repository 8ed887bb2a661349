# syntax=localhost:5000/kiln:dev
# A static Go binary on scratch, cross-compiled natively on the build machine for each
# target platform (no emulation): the build stage runs on ${BUILDPLATFORM}.
version = 1

variable "GO_VERSION" { default = "1.23" }
variable "LDFLAGS" { default = "-s -w" }

stage "build" {
  from     = "docker.io/library/golang:${GO_VERSION}-bookworm"
  platform = "${BUILDPLATFORM}"
  workdir  = "/src"
  env      = { CGO_ENABLED = "0" }

  copy {
    src = ["go.mod", "go.sum"]
    dst = "./"
  }
  run {
    cmd = "go mod download"
    mount { cache = "/go/pkg/mod" }
  }
  copy {
    src     = "."
    dst     = "."
    exclude = ["*.md", ".git"]
  }
  run {
    cmd = "GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags \"${LDFLAGS}\" -o /out/hello ./cmd/hello"
    env = { GOFLAGS = "-mod=readonly" }
    mount { cache = "/go/pkg/mod" }
    mount { cache = "/root/.cache/go-build" }
  }
}

stage "certs" {
  from     = "localhost:5000/debian:bookworm"
  packages = ["ca-certificates"]
}

stage "hello" {
  from = "scratch"
  copy {
    from = "certs"
    src  = "/etc/ssl/certs/ca-certificates.crt"
    dst  = "/etc/ssl/certs/"
  }
  copy {
    from = "build"
    src  = "/out/hello"
    dst  = "/hello"
  }
  image {
    entrypoint = ["/hello"]
    user       = "65532:65532"
  }
}

target "hello" {
  stage     = "hello"
  tags      = ["localhost:5000/hello:dev"]
  platforms = ["linux/amd64", "linux/arm64"]
}
