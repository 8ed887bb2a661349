version = 1
stage "app" { from = "scratch" }

variable "FOO" {}
variable "BAR" {
  validation {
    condition = FOO != ""
    error_message = "BAR requires FOO to be set."
  }
}
target "app" {
  stage = "app"
  args = {
    BAR = BAR
  }
}
