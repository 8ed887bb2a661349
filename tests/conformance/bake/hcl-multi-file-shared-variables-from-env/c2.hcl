target "app" {
  stage = "app"
  args = {
    v2 = "${FOO}-post"
  }
}
