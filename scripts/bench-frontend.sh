#!/usr/bin/env bash
# Frontend benchmark (needs the bench up and the frontend image).
#
# 1. Wall time of fully cached rebuilds of examples/demo through kiln, of its Dockerfile twin
#    through the built-in frontend, and of a "floor" frontend image that only pings and
#    returns an error (what any `# syntax=` image costs on that daemon). Medians of RUNS runs
#    each, side by side, per engine: Docker 20.10 and Docker 28 (`docker build -q`, into the
#    image store), and the standalone buildkitd (`buildctl build`, kiln through `gateway.v0`,
#    the result not exported).
# 2. The cold build of a kiln file on an empty buildkitd (a fresh CI runner) with the registry
#    cache another daemon exported, and without it. Medians of COLD_RUNS, a new daemon each.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
COLD_RUNS=${COLD_RUNS:-3}
eval "$(scripts/testbed.sh env)"
state=$KILN_TESTBED_STATE
buildctl=$KILN_BUILDCTL
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

# One build of FILE (in the context) on HOST: `docker build` for a Docker Engine, `buildctl
# build` for a buildkitd (kiln files through gateway.v0 with their `# syntax=` image, the
# Dockerfile through the built-in frontend). Extra arguments go to buildctl.
build_once() { # build_once HOST FILE [buildctl flags...]
  local host=$1 file=$2
  shift 2
  if [[ $host == *buildkit* ]]; then
    local frontend=(--frontend dockerfile.v0) syntax
    syntax=$(sed -n '1s/^# syntax=//p' "$work/ctx/$file")
    [ -n "$syntax" ] && frontend=(--frontend gateway.v0 --opt "source=$syntax")
    "$buildctl" --addr "$host" build "${frontend[@]}" --opt "filename=$file" \
      --local "context=$work/ctx" --local "dockerfile=$work/ctx" "$@" >/dev/null 2>&1
  else
    DOCKER_HOST=$host DOCKER_BUILDKIT=1 /usr/bin/docker build -q -f "$work/ctx/$file" "$work/ctx" >/dev/null 2>&1
  fi
}

millis() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # measure HOST FILE -> prints the median ms of RUNS cached rebuilds
  local host=$1 file=$2
  build_once "$host" "$file" || true
  for _ in $(seq "$RUNS"); do
    local start
    start=$(millis)
    build_once "$host" "$file" || true
    echo $(($(millis) - start))
  done | median
}

printf '%-10s %12s %12s %12s %10s %12s\n' engine "kiln (ms)" "Dockerfile" "floor" "kiln/DF" "kiln-floor"
for engine in "docker20:unix:///var/run/docker.sock" "docker28:unix://$state/sid/run/d28.sock" \
              "buildkitd:$KILN_BUILDKITD_HOST"; do
  name=${engine%%:*}
  host=${engine#*:}
  kiln=$(measure "$host" kiln.yaml)
  dockerfile=$(measure "$host" Dockerfile)
  floor=$(measure "$host" floor.yaml)
  printf '%-10s %12s %12s %12s %10s %12s\n' "$name" "$kiln" "$dockerfile" "$floor" \
    "$(awk "BEGIN {printf \"%.2fx\", $kiln / $dockerfile}")" "$((kiln - floor))"
done
echo "(medians of $RUNS fully cached rebuilds each; kiln-floor is the time kiln itself adds)"

# COLD_RUNS=0 measures the cached rebuilds only.
[ "$COLD_RUNS" -gt 0 ] || exit 0

# --- 2. a cold build on an empty buildkitd, with and without an imported registry cache ----
# Real work: 64 MiB of random data compressed (seconds of CPU, and a layer the import has to
# download), then a step that reads it back. TOKEN makes the steps new to every daemon.
token=$(date +%s%N)
{
  echo "# syntax=localhost:5000/kiln:dev"
  echo "version: 1"
  echo "args:"
  echo "  TOKEN: \"$token\""
  echo "stages:"
  echo "  app:"
  echo "    from: localhost:5000/busybox:1"
  echo "    steps:"
  echo "      - run: echo \${TOKEN} > /token && head -c 67108864 /dev/urandom | gzip -1 > /blob.gz"
  echo "      - run: gzip -dc /blob.gz | wc -c > /size"
} >"$work/ctx/cold.yaml"
cache=localhost:5000/kiln-bench/cold-cache:$token
build_once "$KILN_BUILDKITD_HOST" cold.yaml --export-cache "type=registry,ref=$cache,mode=max" \
  || { echo "bench: exporting the cache failed" >&2; exit 1; }

cold() { # cold yes|no -> ms of one build on a new, empty buildkitd
  local id=kiln-buildkitd-cold-$$-$RANDOM
  local sock=unix://$state/sid/run/$id.sock flags=() start ms pid
  setsid chroot "$state/sid" buildkitd --config /etc/kiln-buildkit/buildkitd.toml \
    --root "/var/lib/$id" --addr "unix:///run/$id.sock" >/dev/null 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 100); do
    "$buildctl" --addr "$sock" debug workers >/dev/null 2>&1 && break
    sleep 0.1
  done
  # A local export: the runner needs the result's files, so imported layers are fetched.
  flags=(--output "type=local,dest=$work/out-$id")
  [ "$1" = yes ] && flags+=(--import-cache "type=registry,ref=$cache")
  start=$(millis)
  build_once "$sock" cold.yaml "${flags[@]}" || echo "bench: the cold build failed ($1)" >&2
  ms=$(($(millis) - start))
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -rf "${state:?}/sid/var/lib/$id" "$work/out-$id"
  echo "$ms"
}

with=$(for _ in $(seq "$COLD_RUNS"); do cold yes; done | median)
without=$(for _ in $(seq "$COLD_RUNS"); do cold no; done | median)
printf '\n%-44s %10s\n' "cold build on an empty buildkitd" "ms"
printf '%-44s %10s\n' "with --import-cache (registry, mode=max)" "$with"
printf '%-44s %10s\n' "without a cache" "$without"
printf '%-44s %10s\n' "without / with" "$(awk "BEGIN {printf \"%.2fx\", $without / $with}")"
echo "(medians of $COLD_RUNS, each on a new daemon, exported to a local folder; the file makes"
echo " and reads a 64 MiB random blob)"
