version = 1
stage "app" { from = "scratch" }
variable "foo" {}

variable "ABC" {
  default = "def"
}
target "bar" {
  stage = "app"
  matrix = {
    aa = split(",", ABC)
  }
  name = "bar-${aa}"
  args = {
    foo = aa
  }
}
