version = 1
stage "app" { from = "scratch" }
variable "buildno" {}

variable "BUILD_NUMBER" {
  default = "123"
}
group "default" {
  targets = ["webapp"]
}
target "webapp" {
  stage = "app"
  args = {
    buildno = "${BUILD_NUMBER}"
  }
}
