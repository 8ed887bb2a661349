version = 1
stage "app" { from = "scratch" }

target "foo" {
  stage = "app"
  description = "xxx"
  labels = {
    context = target.bar.labels.context
    target = target.foo.description
  }
}
target "bar" {
  stage = "app"
  description = target.foo.description
  labels = {
    context = "yyy"
    target = target.bar.labels.context
  }
}
