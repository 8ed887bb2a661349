version = 1
stage "app" { from = "scratch" }
variable "v1" {}

FOO="abc"
BAR="attr-${FOO}def"
target "app" {
  stage = "app"
  args = {
    "v1": BAR
  }
}
