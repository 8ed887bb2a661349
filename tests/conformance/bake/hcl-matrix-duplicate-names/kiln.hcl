version = 1
stage "app" { from = "scratch" }

target "default" {
  stage = "app"
  matrix = {
    foo = ["a", "b"]
  }
  name = "c"
}
