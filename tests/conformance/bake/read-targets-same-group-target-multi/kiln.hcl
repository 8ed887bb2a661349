version = 1
stage "app" { from = "scratch" }

group "foo" {
  targets = ["foo", "image"]
}
target "foo" {
  stage = "app"
  description = "bar"
}
target "image" {
  stage = "app"
  output = "image"
}
