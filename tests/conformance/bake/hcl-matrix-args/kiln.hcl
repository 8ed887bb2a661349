version = 1
stage "app" { from = "scratch" }

a = 1
variable "b" {
  default = 2
}
target "default" {
  stage = "app"
  matrix = {
    foo = [a, b]
  }
  name = foo
}
