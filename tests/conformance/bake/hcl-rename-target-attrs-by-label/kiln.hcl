version = 1
stage "app" { from = "scratch" }

target "abc" {
  stage = "app"
  name = "xyz"
  matrix  = {}
  description = "foo"
}
target "def" {
  stage = "app"
  description = target.abc.description
}
