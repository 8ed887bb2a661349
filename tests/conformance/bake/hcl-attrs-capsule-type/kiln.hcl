version = 1
stage "app" { from = "scratch" }

target "app" {
  stage = "app"
  cache-from = [
    { type = "registry", ref = "user/app:cache" },
    "type=local,src=path/to/cache",
  ]
  cache-to = [
    { type = "local", dest = "path/to/cache" },
  ]
  output = { type = "local", dest = "../out" }
}
