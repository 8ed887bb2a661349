version = 1
stage "app" { from = "scratch" }

group "default" {
  targets = ["foo", "foo-bar"]
}
group "baz" {
  targets = ["baz-foo", "baz-bar", "baz-fuu"]
}
target "foo" {
  stage = "app"
}
target "foo-bar" {
  stage = "app"
}
target "foo-baz" {
  stage = "app"
}
target "foo-fuu" {
  stage = "app"
}
target "bar-foo" {
  stage = "app"
}
target "bar-baz" {
  stage = "app"
}
target "bar-fuu" {
  stage = "app"
}
target "baz-foo" {
  stage = "app"
}
target "baz-bar" {
  stage = "app"
}
target "baz-fuu" {
  stage = "app"
}
target "mtx" {
  stage = "app"
  name = "mtx-${foo}-${bar}-${baz}"
  matrix = {
    foo = ["a"]
    bar = ["b", "c"]
    baz = ["d", "e", "f"]
  }
}
