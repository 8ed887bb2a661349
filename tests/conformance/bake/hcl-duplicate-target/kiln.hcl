version = 1
stage "app" { from = "scratch" }

target "app" {
  stage = "app"
  description = "x"
}
target "app" {
  stage = "app"
  description = "y"
}
