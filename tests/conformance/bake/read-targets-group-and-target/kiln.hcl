version = 1
stage "app" { from = "scratch" }

group "foo" {
  targets = ["image"]
}
target "foo" {
  stage = "app"
  description = "bar"
}
target "image" {
  stage = "app"
  description = "test"
}
