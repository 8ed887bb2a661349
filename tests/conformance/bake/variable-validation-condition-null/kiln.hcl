version = 1
stage "app" { from = "scratch" }

variable "PORT" {
  default = 3000
  validation {}
}
target "app" {
  stage = "app"
  args = {
    PORT = PORT
  }
}
