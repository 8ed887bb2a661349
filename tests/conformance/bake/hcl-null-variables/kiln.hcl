version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  default = null
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
  }
}
