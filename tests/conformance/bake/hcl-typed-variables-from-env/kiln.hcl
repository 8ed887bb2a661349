version = 1
stage "app" { from = "scratch" }
variable "v1" {}
variable "v2" {}

variable "FOO" {
  default = 3
}
variable "IS_FOO" {
  default = true
}
target "app" {
  stage = "app"
  args = {
    v1 = FOO > 5 ? "higher" : "lower"
    v2 = IS_FOO ? "yes" : "no"
  }
}
