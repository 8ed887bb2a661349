version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = list(string)
}
target "default" {
  stage = "app"
  args = {
    foo = join("-", FOO)
  }
}
