version = 1
stage "app" { from = "scratch" }
variable "buildno" {}

group "default" {
  targets = ["webapp"]
}
target "webapp" {
  stage = "app"
  args = {
    buildno = "${add(123, 1)}"
  }
}
