version = 1
stage "app" { from = "scratch" }
variable "target" {}

target "foo" {
  stage = "app"
  matrix = {
    aa = [
      {
        foo = "aa"
        bar = "bb"
      },
      {
        foo = "cc"
        bar = "dd"
      }
    ]
  }
  name = aa.foo
  args = {
    target = "val${aa.bar}"
  }
}
