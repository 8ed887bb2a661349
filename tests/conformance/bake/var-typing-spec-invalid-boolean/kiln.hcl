version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  type = boolean
}
target "default" {
  stage = "app"
}
