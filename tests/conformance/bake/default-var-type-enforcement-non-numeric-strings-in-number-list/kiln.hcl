version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = list(number)
  default = ["oops"]
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
  }
}
