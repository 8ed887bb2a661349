version = 1
stage "app" { from = "scratch" }

function "foo" {
  params = ["a"]
}
target "default" {
  stage = "app"
}
