version = 1
stage "app" { from = "scratch" }
target "AbC" {
  stage = "app"
}
