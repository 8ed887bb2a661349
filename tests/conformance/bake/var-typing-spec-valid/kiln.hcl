version = 1
stage "app" { from = "scratch" }
variable "FOO0" {
  type = bool
}
variable "FOO1" {
  type = number
}
variable "FOO2" {
  type = string
}
variable "FOO3" {
  type = any
}
variable "FOO4" {
  type = list(string)
}
variable "FOO5" {
  type = set(string)
}
variable "FOO6" {
  type = tuple([string, number])
}
target "default" {
  stage = "app"
}
