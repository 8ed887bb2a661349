version = 1
stage "app" { from = "scratch" }

target "app" {
  stage = "app"
  cache-from = [
    "type=registry,ref=user/app:${FOO1}",
    "type=local,src=path/to/cache:${FOO2}",
  ]
  cache-to = [
    "type=local,dest=path/to/${BAR}",
  ]
  output = { type = "tar", dest = "../${OUTPUT}.tar" }
}
