version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  default = BAR
}
variable "FOO2" {
  default = FOO
}
variable "BAR" {
  default = FOO
}
target "app" {
  stage = "app"
}
