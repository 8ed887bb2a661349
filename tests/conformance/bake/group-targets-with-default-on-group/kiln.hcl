version = 1
stage "app" { from = "scratch" }

group "default" {
  targets = ["app", "multiarch"]
}
target "app" {
  stage = "app"
  description = "app.Dockerfile"
}
target "foo" {
  stage = "app"
  description = "foo.Dockerfile"
}
target "multiarch" {
  stage = "app"
  platforms = ["linux/amd64","linux/arm64","linux/arm/v7","linux/arm/v6"]
}
