version = 1
stage "app" { from = "scratch" }
variable "foo" {}
variable "bar" {}
variable "baz" {}

target "a" {
  stage = "app"
  args = {
    foo = "123"
    bar = "234"
  }
}
target "b" {
  stage = "app"
  inherits = ["a"]
  args = {
    bar = "567"
  }
}
target "c" {
  stage = "app"
  inherits = ["a"]
  args = {
    baz = "890"
  }
}
target "d" {
  stage = "app"
  inherits = ["b", "c"]
}
