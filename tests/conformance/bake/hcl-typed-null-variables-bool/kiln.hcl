version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = bool
  default = null
}
target "default" {
  stage = "app"
  args = {
    foo = equal(FOO, null)
  }
}
