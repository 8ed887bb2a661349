# syntax=localhost:5000/kiln:dev
# Every kind of mount: a locked apt-style cache, a secret token, an ssh agent for private
# git repositories, a tmpfs scratch space, and read-only binds from another stage and
# from the build context.
version = 1

stage "tools" {
  from = "localhost:5000/busybox:1"
  mkdir { path = "/tools" }
  run { cmd = "echo 'echo building' > /tools/build.sh && chmod +x /tools/build.sh" }
}

stage "build" {
  from    = "localhost:5000/debian:bookworm"
  workdir = "/work"

  run {
    cmd     = "./fetch-deps.sh"
    network = "default"
    mount {
      cache   = "/var/cache/deps"
      id      = "deps"
      sharing = "locked"
    }
    mount {
      secret   = "registry-token"
      env      = "REGISTRY_TOKEN"
      required = true
    }
    mount { ssh = "default" }
    mount {
      bind   = "/work"
      source = "."
    }
  }
  run {
    cmd     = "/tools/build.sh --out /work/out"
    network = "none"
    mount {
      bind   = "/tools"
      from   = "tools"
      source = "/tools"
    }
    mount {
      tmpfs = "/tmp"
      size  = 268435456
    }
    mount {
      secret = "signing-key"
      target = "/run/keys/signing.pem"
    }
  }
  symlink {
    target = "/work/out/app"
    path   = "/usr/local/bin/app"
  }
}

target "build" {
  stage  = "build"
  output = { type = "local", dest = "./out" }
}
