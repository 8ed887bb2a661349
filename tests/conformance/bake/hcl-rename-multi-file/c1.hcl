version = 1
stage "app" { from = "scratch" }
target "foo" {
  stage = "app"
  name = "bar"
  matrix = {}
  description = "x"
}
