version = 1
variable "buildno" {}
stage "app" {
  from = "localhost:5000/busybox:1"
  run { cmd = "echo ${buildno} > /b" }
}
target "webapp" {
  stage = "app"
  args = {
    buildno = "${add(123, 1)}"
  }
}
