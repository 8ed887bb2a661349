version = 1
stage "app" { from = "scratch" }

group "foo" {
  targets = ["image"]
}
target "image" {
  stage = "app"
  description = "test"
}
