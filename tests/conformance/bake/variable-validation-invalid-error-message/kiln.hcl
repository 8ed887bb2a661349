version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  default = 0
  validation {
    condition = FOO > 5
  }
}
target "app" {
  stage = "app"
  args = {
    FOO = FOO
  }
}
