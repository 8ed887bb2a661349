version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO_JSON" {
  type = list(number)
}
target "default" {
  stage = "app"
  args = {
    foo = length(FOO_JSON)
  }
}
