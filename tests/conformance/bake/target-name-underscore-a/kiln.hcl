version = 1
stage "app" { from = "scratch" }
target "_a" {
  stage = "app"
}
