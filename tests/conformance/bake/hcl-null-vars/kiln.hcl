version = 1
stage "app" { from = "scratch" }
variable "foo" {}
variable "bar" {}

variable "FOO" {
  default = null
}
variable "BAR" {
  default = null
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
    bar = "baz"
  }
  labels = {
    "com.docker.app.bar" = BAR
    "com.docker.app.baz" = "foo"
  }
}
