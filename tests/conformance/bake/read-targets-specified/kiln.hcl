version = 1
stage "app" { from = "scratch" }

target "image" {
  stage = "app"
  description = "test"
}
