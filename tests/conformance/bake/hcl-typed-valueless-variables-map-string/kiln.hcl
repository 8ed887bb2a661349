version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = map(string)
}
target "default" {
  stage = "app"
  args = {
    foo = equal(FOO, null)
  }
}
