version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = map(list(number))
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
  }
}
