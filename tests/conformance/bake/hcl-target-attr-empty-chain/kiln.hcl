version = 1
stage "app" { from = "scratch" }

target "foo" {
  stage = "app"
  # description = "Dockerfile"
  labels = {
    context = target.foo.description
    target = target.foo.labels.context
  }
}
