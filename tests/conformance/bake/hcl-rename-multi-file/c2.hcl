target "foo" {
  stage = "app"
  labels = { context = "y" }
}
