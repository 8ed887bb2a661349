#!/usr/bin/env bash
# Build the kiln frontend image from the current code and push it to the bench's registry:
#   localhost:5000/kiln:dev   (override with KILN_FRONTEND_IMAGE)
# The binary is static (glibc, +crt-static) and stripped; the image is FROM scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${KILN_FRONTEND_IMAGE:-localhost:5000/kiln:dev}
target=x86_64-unknown-linux-gnu
# An explicit --target keeps RUSTFLAGS away from proc-macros (which cannot be static).
RUSTFLAGS="-C target-feature=+crt-static" cargo build --quiet --profile frontend --locked \
  --target "$target" -p kiln-frontend
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp frontend-image/Dockerfile "$ctx/"
cp "target/$target/frontend/kiln-frontend" "$ctx/kiln-frontend"
size=$(stat -c %s "$ctx/kiln-frontend")
DOCKER_HOST=unix:///var/run/docker.sock DOCKER_BUILDKIT=1 /usr/bin/docker build -q -t "$image" "$ctx" >/dev/null
DOCKER_HOST=unix:///var/run/docker.sock /usr/bin/docker push -q "$image" >/dev/null
echo "frontend image $image: static binary $((size / 1024)) KiB"
# Docker prefers its own image store for `# syntax=` images: refresh the newer engine's copy
# (when it is running), so every build uses the frontend just built.
d28=unix://${KILN_TESTBED_STATE:-/var/lib/kiln-testbed}/sid/run/d28.sock
if DOCKER_HOST=$d28 /usr/bin/docker info >/dev/null 2>&1; then
  DOCKER_HOST=$d28 /usr/bin/docker pull -q "$image" >/dev/null
fi
