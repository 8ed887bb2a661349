version = 1
stage "app" { from = "scratch" }

variable "ABC" {
  default = "foo"
}
variable "DEF" {
  default = ""
}
variable "a" {}
variable "b" {}
group "default" {
  targets = ["one"]
}
target "one" {
  stage = "app"
  args = {
    a = "pre-${ABC}"
  }
}
target "two" {
  stage = "app"
  args = {
    b = "pre-${DEF}"
  }
}
