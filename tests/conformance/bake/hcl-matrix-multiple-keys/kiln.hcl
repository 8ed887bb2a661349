version = 1
stage "app" { from = "scratch" }

target "default" {
  stage = "app"
  matrix = {
    foo = ["a"]
    bar = ["b", "c"]
    baz = ["d", "e", "f"]
  }
  name = "${foo}-${bar}-${baz}"
}
