version = 1
stage "app" { from = "scratch" }

target "default" {
  stage = "app"
  matrix = {
    foo = ["x", "y"]
  }
  name = foo
  description = "${foo}.Dockerfile"
}
