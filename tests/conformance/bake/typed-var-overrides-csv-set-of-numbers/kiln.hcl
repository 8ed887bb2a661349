version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = set(number)
}
target "default" {
  stage = "app"
  args = {
    foo = join("-", [for v in sort(FOO): v + 1])
  }
}
