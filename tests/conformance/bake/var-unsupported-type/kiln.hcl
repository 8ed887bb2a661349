version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  default = []
}
target "default" {
  stage = "app"
}
