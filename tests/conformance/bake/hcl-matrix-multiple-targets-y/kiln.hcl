version = 1
stage "app" { from = "scratch" }

target "x" {
  stage = "app"
  matrix = {
    foo = ["a", "b"]
  }
  name = foo
}
target "y" {
  stage = "app"
  matrix = {
    bar = ["c", "d"]
  }
  name = bar
}
