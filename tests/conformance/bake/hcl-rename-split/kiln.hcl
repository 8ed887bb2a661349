version = 1
stage "app" { from = "scratch" }

target "x" {
  stage = "app"
  name = "y"
  matrix = {}
  description = "foo"
}
target "x" {
  stage = "app"
  name = "z"
  matrix = {}
  description = "bar"
}
