version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = set(string)
  default = null
}
target "default" {
  stage = "app"
  args = {
    foo = equal(FOO, null)
  }
}
