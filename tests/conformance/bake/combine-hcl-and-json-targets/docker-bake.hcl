version = 1
stage "app" { from = "scratch" }

group "default" {
  targets = ["a"]
}
target "metadata-a" {}
target "metadata-b" {}
target "a" {
  inherits = ["metadata-a"]
  stage = "app"
}
target "b" {
  inherits = ["metadata-b"]
  stage = "app"
}
