version = 1
stage "app" { from = "scratch" }
target "a" {
  stage = "app"
}
