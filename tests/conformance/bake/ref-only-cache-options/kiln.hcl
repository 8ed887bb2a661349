version = 1
stage "app" { from = "scratch" }

target "app" {
  stage = "app"
  cache-from = ["ref1,ref2"]
}
