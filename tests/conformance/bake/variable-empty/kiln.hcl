version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  default = ""
}
target "app" {
  stage = "app"
  output = FOO
}
