# syntax=localhost:5000/kiln:dev
# One image for amd64 and arm64: a checksummed per-architecture download picks the right
# binary for each platform, and a run step reports the architecture it ran on.
version = 1

variable "TOOL_VERSION" { default = "2.3.1" }

stage "tool" {
  from = "localhost:5000/busybox:1"
  download {
    url = {
      amd64 = "https://downloads.example.com/tool/${TOOL_VERSION}/tool-linux-amd64"
      arm64 = "https://downloads.example.com/tool/${TOOL_VERSION}/tool-linux-arm64"
    }
    sha256 = {
      amd64 = "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
      arm64 = "7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730"
    }
    dst  = "/usr/local/bin/tool"
    mode = "0755"
  }
  run { cmd = "uname -m > /etc/built-on" }
  image {
    entrypoint = ["/usr/local/bin/tool"]
  }
}

target "tool" {
  stage     = "tool"
  tags      = ["localhost:5000/tool:${TOOL_VERSION}"]
  platforms = ["linux/amd64", "linux/arm64"]
}
