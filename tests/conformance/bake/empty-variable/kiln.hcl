version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {}
target "default" {
  stage = "app"
  args = {
    foo = equal(FOO, "")
  }
}
