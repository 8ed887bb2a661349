#!/usr/bin/env bash
# Frontend benchmark (needs the bench up and the frontend image): wall time of fully cached
# rebuilds of examples/demo through kiln, of its Dockerfile twin through the built-in
# frontend, and of a "floor" frontend image that only pings and returns an error (what any
# `# syntax=` image costs on that daemon). Medians of RUNS runs each, side by side, per engine.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
state=${KILN_TESTBED_STATE:-/var/lib/kiln-testbed}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r examples/demo "$work/ctx"
sed 's|^# syntax=localhost:5000/kiln:dev|# syntax=localhost:5000/kiln:floor|' examples/demo/kiln.yaml >"$work/ctx/floor.yaml"
cat >"$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM localhost:5000/busybox:1 AS build
WORKDIR /src
COPY message.txt ./
RUN { echo "Hello from a kiln build on $(uname -m)!"; cat message.txt; } > banner.txt
FROM localhost:5000/busybox:1
ENV APP_HOME=/app
WORKDIR /app
COPY --from=build /src/banner.txt ./banner.txt
ENTRYPOINT ["cat", "/app/banner.txt"]
DOCKERFILE

# The floor image: the kiln frontend in its benchmark mode (ping, then return an error).
mkdir -p "$work/floor"
printf 'FROM localhost:5000/kiln:dev\nENV KILN_FRONTEND_FLOOR=1\n' >"$work/floor/Dockerfile"
DOCKER_HOST=unix:///var/run/docker.sock DOCKER_BUILDKIT=1 /usr/bin/docker build -q -t localhost:5000/kiln:floor "$work/floor" >/dev/null
DOCKER_HOST=unix:///var/run/docker.sock /usr/bin/docker push -q localhost:5000/kiln:floor >/dev/null
DOCKER_HOST=unix://$state/sid/run/d28.sock /usr/bin/docker pull -q localhost:5000/kiln:floor >/dev/null

measure() { # measure HOST FILE -> prints median ms
  local host=$1 file=$2 times=()
  DOCKER_HOST=$host DOCKER_BUILDKIT=1 /usr/bin/docker build -q -f "$work/ctx/$file" "$work/ctx" >/dev/null 2>&1 || true
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s%N)
    DOCKER_HOST=$host DOCKER_BUILDKIT=1 /usr/bin/docker build -q -f "$work/ctx/$file" "$work/ctx" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

printf '%-10s %12s %12s %12s %10s %12s\n' engine "kiln (ms)" "Dockerfile" "floor" "kiln/DF" "kiln-floor"
for engine in "docker20:unix:///var/run/docker.sock" "docker28:unix://$state/sid/run/d28.sock"; do
  name=${engine%%:*}
  host=${engine#*:}
  kiln=$(measure "$host" kiln.yaml)
  dockerfile=$(measure "$host" Dockerfile)
  floor=$(measure "$host" floor.yaml)
  printf '%-10s %12s %12s %12s %10s %12s\n' "$name" "$kiln" "$dockerfile" "$floor" \
    "$(awk "BEGIN {printf \"%.2fx\", $kiln / $dockerfile}")" "$((kiln - floor))"
done
echo "(medians of $RUNS fully cached rebuilds each; kiln-floor is the time kiln itself adds)"
