version = 1
stage "app" { from = "scratch" }

target "default" {
  stage = "app"
  description = "test"
}
