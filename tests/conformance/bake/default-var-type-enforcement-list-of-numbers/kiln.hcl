version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = list(number)
  default = [2,3]
}
target "default" {
  stage = "app"
  args = {
    foo = join("", [for v in FOO: v + 1])
  }
}
