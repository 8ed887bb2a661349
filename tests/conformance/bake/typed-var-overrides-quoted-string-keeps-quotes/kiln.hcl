version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = string
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
  }
}
