version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  type = BOOL
}
target "default" {
  stage = "app"
}
