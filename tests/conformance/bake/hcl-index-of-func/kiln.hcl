version = 1
stage "app" { from = "scratch" }
variable "APP_VERSION" {}

variable "APP_VERSIONS" {
  default = [
    "1.42.4",
    "1.42.3"
  ]
}
target "default" {
  stage = "app"
  args = {
    APP_VERSION = app_version
  }
  matrix = {
    app_version = APP_VERSIONS
  }
  name="app-${replace(app_version, ".", "-")}"
  tags = [
    "app:${app_version}",
    indexof(APP_VERSIONS, app_version) == 0 ? "app:latest" : "",
  ]
}
