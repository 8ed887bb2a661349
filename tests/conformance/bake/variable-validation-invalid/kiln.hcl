version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  validation {
    condition = FOO != ""
    error_message = "FOO is required."
  }
}
target "app" {
  stage = "app"
  args = {
    FOO = FOO
  }
}
