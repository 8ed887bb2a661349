version = 1
stage "app" { from = "scratch" }

group "default" {
  targets = ["image"]
}
target "nocache" {
  stage = "app"
  labels = { nocache = "true" }
}
group "release" {
  targets = ["image-release"]
}
target "image" {
  stage = "app"
  inherits = ["nocache"]
  output = "image"
}
target "image-release" {
  stage = "app"
  inherits = ["image"]
  output = "registry"
  tags = ["user/app:latest"]
}
