version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = map(string)
  default = null
}
target "default" {
  stage = "app"
  args = {
    foo = equal(FOO, null)
  }
}
