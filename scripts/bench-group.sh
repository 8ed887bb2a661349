#!/usr/bin/env bash
# Group benchmark (needs the bench up and the frontend image): a group of N targets that share
# a base stage, built cold (--no-cache) three ways, side by side on each engine:
#   group:      one `docker build --target all -o type=local` (the frontend solves them together)
#   one by one: N `docker build --target tI`, one after another
#   kiln bake:  `kiln bake all` (N builds in parallel through the Engine API)
# The base stage sleeps BASE seconds, each target STEP seconds. Medians of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
N=${N:-4}
BASE=${BASE:-2}
STEP=${STEP:-1}
state=${KILN_TESTBED_STATE:-/var/lib/kiln-testbed}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build -q --release -p kiln-cli
kiln=$PWD/target/release/kiln

{
  echo "# syntax=localhost:5000/kiln:dev"
  echo "version: 1"
  echo "stages:"
  echo "  base:"
  echo "    from: localhost:5000/busybox:1"
  echo "    steps:"
  echo "      - run: sleep $BASE && date +%s%N > /stamp"
  for i in $(seq "$N"); do
    echo "  t$i:"
    echo "    from: base"
    echo "    steps:"
    echo "      - run: sleep $STEP && echo $i > /name"
  done
  echo "targets:"
  for i in $(seq "$N"); do echo "  t$i: { stage: t$i, output: { type: local, dest: out/t$i } }"; done
  echo "groups:"
  echo "  all: [$(seq -s, -f 't%g' "$N")]"
} >"$work/kiln.yaml"

ms() { local start=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; echo $((($(date +%s%N) - start) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

group() { DOCKER_BUILDKIT=1 /usr/bin/docker build --no-cache -f "$work/kiln.yaml" --target all -o "type=local,dest=$work/out" "$work"; }
one_by_one() {
  for i in $(seq "$N"); do
    DOCKER_BUILDKIT=1 /usr/bin/docker build --no-cache -f "$work/kiln.yaml" --target "t$i" -o "type=local,dest=$work/out/t$i" "$work" || return 1
  done
}
bake() { (cd "$work" && "$kiln" bake --no-cache --progress plain -f kiln.yaml all); }

printf '%-10s %12s %14s %12s %14s %14s\n' engine "group (ms)" "one by one" "kiln bake" "1-by-1/group" "bake/group"
for engine in "docker20:unix:///var/run/docker.sock" "docker28:unix://$state/sid/run/d28.sock"; do
  export DOCKER_HOST=${engine#*:}
  g=$(for _ in $(seq "$RUNS"); do ms group; done | median)
  s=$(for _ in $(seq "$RUNS"); do ms one_by_one; done | median)
  b=$(for _ in $(seq "$RUNS"); do ms bake; done | median)
  printf '%-10s %12s %14s %12s %14s %14s\n' "${engine%%:*}" "$g" "$s" "$b" \
    "$(awk "BEGIN {printf \"%.2fx\", $s / $g}")" "$(awk "BEGIN {printf \"%.2fx\", $b / $g}")"
done
echo "(N=$N targets, base stage ${BASE}s, each target ${STEP}s, cold builds, medians of $RUNS)"
