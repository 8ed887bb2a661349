version = 1
stage "app" { from = "scratch" }
target "abc" {
  stage = "app"
}
