version = 1
stage "app" { from = "scratch" }
variable "VAR_INHERITED" {}
variable "VAR_BOTH" {}
variable "VAR_UNSET" {}
variable "VAR_EMPTY" {}
variable "VAR_SET" {}
variable "VAR_FROMENV" {}

target "webDEP" {
  stage = "app"
  args = {
    VAR_INHERITED = "webDEP"
    VAR_BOTH = "webDEP"
  }
}
target "webapp" {
  stage = "app"
  description = "Dockerfile.webapp"
  args = {
    VAR_BOTH = "webapp"
  }
  platforms = [
    "linux/amd64"
  ]
  inherits = ["webDEP"]
}
