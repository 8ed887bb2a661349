version = 1
stage "app" { from = "scratch" }

target "foo" {
  stage = "app"
  description = target.foo.name
}
