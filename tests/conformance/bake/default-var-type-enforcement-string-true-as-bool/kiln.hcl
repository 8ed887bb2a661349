version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = bool
  default = "true"
}
target "default" {
  stage = "app"
  args = {
    foo = and(FOO, true)
  }
}
