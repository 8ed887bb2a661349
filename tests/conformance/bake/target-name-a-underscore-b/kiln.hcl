version = 1
stage "app" { from = "scratch" }
target "a_b" {
  stage = "app"
}
