version = 1
stage "app" { from = "scratch" }

target "default" {
  stage = "app"
  matrix = {
    ["a"] = ["b"]
  }
  name = "x"
}
