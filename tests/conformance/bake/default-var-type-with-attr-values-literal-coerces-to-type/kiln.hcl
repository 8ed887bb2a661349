version = 1
stage "app" { from = "scratch" }

BAR = "99"
variable "FOO" {
  type = number
  default = BAR
}
target "default" {
  stage = "app"
}
