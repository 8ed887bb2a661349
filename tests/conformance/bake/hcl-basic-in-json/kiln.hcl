version = 1
stage "app" { from = "scratch" }
variable "buildno" {}
variable "IAMCROSS" {}
