version = 1
stage "app" { from = "scratch" }
variable "v1" {}

function "brace" {
  params = [inp]
  result = "[${inp}]"
}
function "myupper" {
  params = [val]
  result = "${upper(val)} <> ${brace(v2)}"
}
v1=myupper("foo")
v2=lower("BAZ")
target "app" {
  stage = "app"
  args = {
    "v1": v1
  }
}
