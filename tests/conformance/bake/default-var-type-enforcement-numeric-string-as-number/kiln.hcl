version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = number
  default = "99"
}
target "default" {
  stage = "app"
  args = {
    foo = FOO + 1
  }
}
