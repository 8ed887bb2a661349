version = 1
stage "app" { from = "scratch" }
variable "v1" {}
variable "FOO" {
  default = "abc"
}
target "app" {
  stage = "app"
  args = {
    v1 = "pre-${FOO}"
  }
}
