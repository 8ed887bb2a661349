version = 1
stage "app" { from = "scratch" }

target "app" {
  stage = "app"
  platforms = ["linux/amd64"]
  output = "local"
  tags = ["localhost:5000/app"]
}
