version = 1
stage "app" { from = "scratch" }

target "default" {
  stage = "app"
  matrix = {
    1 = 2
  }
  name = "x"
}
