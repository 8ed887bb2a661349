target "bar" {
  stage = "app"
  labels = { target = "z" }
}
