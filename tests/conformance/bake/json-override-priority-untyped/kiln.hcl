version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  default = [1, 2]
}
target "default" {
  stage = "app"
  args = {
    foo = length(FOO)
  }
}
