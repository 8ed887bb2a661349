version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  type = lower("bool")
}
target "default" {
  stage = "app"
}
