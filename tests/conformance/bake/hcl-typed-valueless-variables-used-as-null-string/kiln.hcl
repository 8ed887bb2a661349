version = 1
stage "app" { from = "scratch" }
variable "assigned" {}
variable "false_branch" {}
variable "true_branch" {}

variable "FOO" {
  type = string
}
target "default" {
  stage = "app"
  args = {
    assigned = FOO
    false_branch = FOO == null ? "hi" : FOO
    true_branch = FOO == null ? FOO : "hi"
  }
}
