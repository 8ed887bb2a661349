version = 1
stage "app" { from = "scratch" }
target "AbC-0123" {
  stage = "app"
}
