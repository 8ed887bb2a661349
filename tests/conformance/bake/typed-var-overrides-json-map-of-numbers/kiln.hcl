version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = map(number)
}
target "default" {
  stage = "app"
  args = {
    foo = join("-", sort(values(FOO)))
  }
}
