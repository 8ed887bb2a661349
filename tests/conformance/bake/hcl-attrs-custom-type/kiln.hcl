version = 1
stage "app" { from = "scratch" }
variable "v1" {}

platforms=["linux/arm64", "linux/amd64"]
target "app" {
  stage = "app"
  platforms = platforms
  args = {
    "v1": platforms[0]
  }
}
