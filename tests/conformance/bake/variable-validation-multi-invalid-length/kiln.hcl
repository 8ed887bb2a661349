version = 1
stage "app" { from = "scratch" }

variable "FOO" {
  validation {
    condition = FOO != ""
    error_message = "FOO is required."
  }
  validation {
    condition = strlen(FOO) > 4
    error_message = "FOO must be longer than 4 characters."
  }
}
target "app" {
  stage = "app"
  args = {
    FOO = FOO
  }
}
