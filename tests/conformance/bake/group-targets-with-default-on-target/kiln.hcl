version = 1
stage "app" { from = "scratch" }

target "default" {
  stage = "app"
  platforms = ["linux/amd64"]
}
target "multiarch" {
  stage = "app"
  platforms = ["linux/amd64","linux/arm64","linux/arm/v7","linux/arm/v6"]
}
