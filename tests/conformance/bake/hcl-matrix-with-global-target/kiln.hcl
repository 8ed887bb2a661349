version = 1
stage "app" { from = "scratch" }

target "x" {
  stage = "app"
  tags = ["a", "b"]
}
target "default" {
  stage = "app"
  tags = target.x.tags
  matrix = {
    dummy = [""]
  }
  name = "default"
}
