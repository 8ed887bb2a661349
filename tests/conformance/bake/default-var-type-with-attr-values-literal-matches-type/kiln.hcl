version = 1
stage "app" { from = "scratch" }

BAR = "hello"
variable "FOO" {
  type = string
  default = BAR
}
target "default" {
  stage = "app"
}
