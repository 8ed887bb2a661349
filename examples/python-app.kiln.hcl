# syntax=localhost:5000/kiln:dev
# A Python web app on Debian: system packages from apt, Python dependencies from a
# requirements file with pip's cache in a cache mount, and an unprivileged user.
version = 1

variable "APP_PORT" { default = 8000 }

stage "app" {
  from     = "localhost:5000/debian:bookworm"
  packages = ["python3", "python3-venv", "tini"]
  env = {
    VIRTUAL_ENV             = "/opt/venv"
    PATH                    = "/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    PYTHONDONTWRITEBYTECODE = "1"
  }
  workdir = "/app"

  run { cmd = "python3 -m venv ${VIRTUAL_ENV}" }
  copy {
    src = "requirements.txt"
    dst = "./"
  }
  run {
    cmd = "pip install -r requirements.txt"
    mount { cache = "/root/.cache/pip" }
  }
  copy {
    src   = "app/"
    dst   = "app/"
    chown = "1000:1000"
  }
  mkdir {
    path  = "/app/data"
    mode  = "0750"
    chown = "1000:1000"
  }
  user { name = "1000" }

  image {
    entrypoint = ["tini", "--"]
    cmd        = ["python3", "-m", "app", "--port", "${APP_PORT}"]
    expose     = [8000]
    volumes    = ["/app/data"]
  }
}

target "web" {
  stage = "app"
  tags  = ["localhost:5000/web:latest"]
  args  = { APP_PORT = 8000 }
}
