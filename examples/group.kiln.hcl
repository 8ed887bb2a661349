# syntax=localhost:5000/kiln:dev
# Several images that share a base stage: building the `all` group solves `base` once.
# The HCL twin of group.kiln.yaml: both lower to the same LLB.
version = 1

variable "VERSION" { default = "1.4.0" }
variable "REGISTRY" { default = "localhost:5000" }

stage "base" {
  from     = "localhost:5000/debian:bookworm"
  packages = ["ca-certificates"]
  env      = { APP_HOME = "/srv" }
  workdir  = "/srv"
}

stage "api" {
  from = "base"
  copy {
    src = "api/"
    dst = "./"
  }
  image {
    cmd    = ["/srv/api"]
    expose = [8080]
  }
}

stage "worker" {
  from = "base"
  copy {
    src = "worker/"
    dst = "./"
  }
  env { QUEUE = "jobs" }
  image {
    cmd = ["/srv/worker", "--queue", "${QUEUE}"]
  }
}

stage "docs" {
  from = "localhost:5000/busybox:1"
  copy {
    src = "docs/"
    dst = "/www/"
  }
  image {
    cmd = ["httpd", "-f", "-h", "/www"]
  }
}

target "api" {
  stage       = "api"
  description = "HTTP API"
  tags        = ["${REGISTRY}/api:${VERSION}", "${REGISTRY}/api:latest"]
  labels      = { "org.opencontainers.image.version" = "${VERSION}" }
}

target "worker" {
  stage       = "worker"
  description = "Background job runner"
  tags        = ["${REGISTRY}/worker:${VERSION}"]
}

target "docs" {
  stage = "docs"
  tags  = ["${REGISTRY}/docs:${VERSION}"]
}

target "docs-site" {
  stage  = "docs"
  output = { type = "tar", dest = "docs.tar" }
}

group "default" { targets = ["api", "worker"] }

group "services" {
  description = "Every long-running service"
  targets     = ["api", "worker"]
}

group "all" { targets = ["services", "docs", "docs-site"] }
