version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = tuple([list(number)])
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
  }
}
