version = 1
stage "app" { from = "scratch" }

target "foo" {
  stage = "app"
  description = "x"
}
x = target.foo.description
y = x
target "bar" {
  stage = "app"
  description = y
}
