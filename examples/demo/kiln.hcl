# syntax=localhost:5000/kiln:dev
# The demo in HCL: a two-stage build that BuildKit runs through the kiln frontend image.
#   docker build -f examples/demo/kiln.hcl -t kiln-demo examples/demo && docker run --rm kiln-demo
version = 1

variable "GREETING" { default = "Hello" }

stage "build" {
  from    = "localhost:5000/busybox:1"
  workdir = "/src"
  copy {
    src = "message.txt"
    dst = "./"
  }
  run {
    cmd = <<-EOT
      {
        echo "${GREETING} from a kiln build on $(uname -m)!"
        cat message.txt
      } > banner.txt
    EOT
  }
}

stage "app" {
  from    = "localhost:5000/busybox:1"
  env     = { APP_HOME = "/app" }
  workdir = "/app"
  copy {
    from = "build"
    src  = "/src/banner.txt"
    dst  = "./banner.txt"
  }
  image {
    entrypoint = ["cat", "/app/banner.txt"]
  }
}

target "app" {
  stage       = "app"
  description = "Prints the banner made in the build stage"
}

group "default" { targets = ["app"] }
