version = 1
stage "app" { from = "scratch" }
variable "bar" {}

variable "foo" {
  type = number
  default = 101
}
target "default" {
  stage = "app"
  args = {
    bar = foo
  }
}
