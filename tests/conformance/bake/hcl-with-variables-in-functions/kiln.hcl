version = 1
stage "app" { from = "scratch" }

variable "REPO" {
  default = "user/repo"
}
function "tag" {
  params = [tag]
  result = ["${REPO}:${tag}"]
}
target "webapp" {
  stage = "app"
  tags = tag("v1")
}
