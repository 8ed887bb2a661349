version = 1
stage "app" { from = "scratch" }
variable "buildno" {}
variable "IAMCROSS" {}

group "default" {
  targets = ["db", "webapp"]
}
target "db" {
  stage = "app"
  tags = ["docker.io/tonistiigi/db"]
  output = "image"
}
target "webapp" {
  stage = "app"
  args = {
    buildno = "123"
  }
  output = { type = "image" }
}
target "cross" {
  stage = "app"
  platforms = [
    "linux/amd64",
    "linux/arm64"
  ]
}
target "webapp-plus" {
  stage = "app"
  inherits = ["webapp", "cross"]
  args = {
    IAMCROSS = "true"
  }
}
