version = 1
stage "app" { from = "scratch" }

target "app" {
  stage = "app"
  output = { type = "local", dest = "./bin" }
}
