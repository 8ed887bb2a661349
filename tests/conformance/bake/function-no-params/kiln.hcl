version = 1
stage "app" { from = "scratch" }
variable "test" {}

function "foo" {
  result = "bar"
}
target "foo_target" {
  stage = "app"
  args = {
    test = foo()
  }
}
