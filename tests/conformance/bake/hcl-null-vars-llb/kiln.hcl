version = 1
variable "FOO" {
  default = null
}
variable "foo" {
  default = "from-the-file"
}
stage "app" {
  from = "localhost:5000/busybox:1"
  run { cmd = "echo ${foo} > /f" }
}
target "default" {
  stage = "app"
  args = {
    foo = FOO
  }
}
