version = 1
stage "app" { from = "scratch" }

BAR = split(",", "1,2,3")
variable "FOO" {
  type = list(number)
  default = BAR
}
target "default" {
  stage = "app"
}
