version = 1
stage "app" { from = "scratch" }

group "foo" {
  name = "bar"
  targets = ["x", "y"]
}
target "x" {
  stage = "app"
}
target "y" {
  stage = "app"
}
