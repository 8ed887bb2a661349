version = 1
variable "FOO" {
  type = list(string)
}
variable "foo" {}
stage "app" {
  from = "localhost:5000/busybox:1"
  run { cmd = "echo ${foo} > /f" }
}
target "default" {
  stage = "app"
  args = {
    foo = join("-", FOO)
  }
}
