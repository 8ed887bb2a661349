version = 1
stage "app" { from = "scratch" }

variable "foo" {
  default = "bar"
}
target "app" {
  stage = "app"
  cache-from = [
    { type = "registry", ref = "user/app:cache" },
    "type=local,src=path/to/cache",
  ]
  cache-to = [ target.app.cache-from[0] ]
}
target "web" {
  stage = "app"
  cache-from = target.app.cache-from
  output = { type = "tar", dest = "../${foo}.tar" }
}
