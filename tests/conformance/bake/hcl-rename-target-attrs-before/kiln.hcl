version = 1
stage "app" { from = "scratch" }

target "def" {
  stage = "app"
  description = target.xyz.description
}
target "abc" {
  stage = "app"
  name = "xyz"
  matrix = {}
  description = "foo"
}
