# syntax=localhost:5000/kiln:dev
# The HCL example of the format sketch (docs/format.md), completed: the `app` stage and the
# `test` target the sketch abridges are written out, so it is the twin of
# format-sketch.kiln.yaml.
version = 1

variable "APP_VERSION" { default = "0.1.0" }

stage "base" {
  from     = "localhost:5000/debian:bookworm"
  packages = ["ca-certificates", "curl"]
  env      = { LANG = "C.UTF-8" }
  workdir  = "/src"
}

stage "build" {
  from = "base"
  copy {
    src = ["Makefile", "src/"]
    dst = "/src/"
  }
  run {
    cmd = "make release VERSION=${APP_VERSION}"
    mount { cache = "/root/.cache" }
  }
  download {
    url = "https://example.invalid/tool-${TARGETARCH}.tar.gz"
    sha256 = {
      amd64 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
      arm64 = "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9"
    }
    dst = "/opt/tool.tar.gz"
  }
}

stage "app" {
  from = "scratch"
  copy {
    from = "build"
    src  = "/src/out/app"
    dst  = "/usr/bin/app"
  }
  image {
    entrypoint = ["/usr/bin/app"]
    expose     = [8080]
    user       = "65532"
  }
}

target "app" {
  stage     = "app"
  tags      = ["localhost:5000/app:${APP_VERSION}"]
  platforms = ["linux/amd64"]
}

target "test" {
  stage  = "build"
  output = "local"
}

group "default" { targets = ["app"] }
group "ci" { targets = ["app", "test"] }
