version = 1
stage "app" { from = "scratch" }
variable "v1" {}
variable "v2" {}
variable "FOO" {
  default = upper("${BASE}def")
}
variable "BAR" {
  default = "-${FOO}-"
}
target "app" {
  stage = "app"
  args = {
    v1 = "pre-${BAR}"
  }
}
