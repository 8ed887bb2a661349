version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "FOO" {
  type = object({val: string})
  default = null
}
target "default" {
  stage = "app"
  args = {
    foo = equal(FOO, null)
  }
}
