version = 1
stage "app" { from = "scratch" }

group "foo" {
  matrix = {
    name = ["x", "y"]
  }
}
target "x" {
  stage = "app"
}
