version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = object({messages: list(string)})
}
target "default" {
  stage = "app"
  args = {
    foo = join("-", FOO["messages"])
  }
}
