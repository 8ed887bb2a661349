version = 1
stage "app" { from = "scratch" }
variable "foo" {}
variable "bar" {}
