version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = tuple([number,string])
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
  }
}
