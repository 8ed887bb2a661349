version = 1
stage "app" { from = "scratch" }
variable "BAR" {}
variable "FOO" {}
variable "FOO2" {}

target "grandparent" {
  stage = "app"
  output = "local"
  args = {
    BAR = "fuu"
  }
}
target "parent" {
  stage = "app"
  inherits = ["grandparent"]
  args = {
    FOO = "bar"
  }
}
target "child1" {
  stage = "app"
  inherits = ["parent"]
}
target "child2" {
  stage = "app"
  inherits = ["parent"]
  args = {
    FOO2 = "bar2"
  }
}
group "default" {
  targets = [
    "child1",
    "child2"
  ]
}
