version = 1
stage "app" { from = "scratch" }
variable "v1" {}
