version = 1
stage "app" { from = "scratch" }
variable "target" {}

target "foo" {
  stage = "app"
  matrix = {
    aa = [["aa", "bb"], ["cc", "dd"]]
  }
  name = aa[0]
  args = {
    target = "val${aa[1]}"
  }
}
