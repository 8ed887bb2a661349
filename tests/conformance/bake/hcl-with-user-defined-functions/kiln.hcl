version = 1
stage "app" { from = "scratch" }
variable "buildno" {}

function "increment" {
  params = [number]
  result = number + 1
}
group "default" {
  targets = ["webapp"]
}
target "webapp" {
  stage = "app"
  args = {
    buildno = "${increment(123)}"
  }
}
