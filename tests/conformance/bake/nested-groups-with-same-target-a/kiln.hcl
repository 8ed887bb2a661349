version = 1
stage "app" { from = "scratch" }

group "a" {
  targets = ["b", "c"]
}
group "b" {
  targets = ["d"]
}
group "c" {
  targets = ["b"]
}
target "d" {
  stage = "app"
  description = "./testdockerfile"
}
group "e" {
  targets = ["a", "f"]
}
target "f" {
  stage = "app"
  labels = { context = "./foo" }
}
