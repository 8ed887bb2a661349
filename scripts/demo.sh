#!/usr/bin/env bash
# The demo: bring the test bench up, then run kiln's main job on the bundled examples
# (check every example, print the schema, and show what a mistake looks like).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/testbed.sh up
scripts/frontend-image.sh
cargo build --quiet --release -p kiln-cli
kiln=target/release/kiln

echo; echo "== docker build of examples/demo (a kiln file, # syntax=localhost:5000/kiln:dev), then run it"
DOCKER_HOST=unix:///var/run/docker.sock DOCKER_BUILDKIT=1 /usr/bin/docker build -q \
  -f examples/demo/kiln.yaml -t kiln-demo examples/demo >/dev/null
DOCKER_HOST=unix:///var/run/docker.sock /usr/bin/docker run --rm kiln-demo

echo; echo "== the same build written in HCL (examples/demo/kiln.hcl), built by the same frontend"
DOCKER_HOST=unix:///var/run/docker.sock DOCKER_BUILDKIT=1 /usr/bin/docker build -q \
  -f examples/demo/kiln.hcl -t kiln-demo-hcl examples/demo >/dev/null
DOCKER_HOST=unix:///var/run/docker.sock /usr/bin/docker run --rm kiln-demo-hcl

echo; echo "== the same file on the standalone buildkitd (buildctl, gateway.v0): two platforms, one manifest list"
eval "$(scripts/testbed.sh env)"
"$KILN_BUILDCTL" --addr "$KILN_BUILDKITD_HOST" build --frontend gateway.v0 \
  --opt source=localhost:5000/kiln:dev --opt filename=kiln.yaml \
  --local context=examples/demo --local dockerfile=examples/demo \
  --opt platform=linux/amd64,linux/arm64 \
  --output type=image,name=localhost:5000/kiln-demo:multi,push=true 2>/dev/null
curl -sf -H "Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json" \
  http://127.0.0.1:5000/v2/kiln-demo/manifests/multi \
  | python3 -c 'import json,sys; print(" ", ", ".join(m["platform"]["os"] + "/" + m["platform"]["architecture"] for m in json.load(sys.stdin)["manifests"] if m["platform"]["os"] != "unknown"))'

echo; echo "== kiln bake: the demo target, tagged, through the Docker Engine API"
(cd examples/demo && "../../$kiln" bake -f kiln.hcl --progress plain --set app.tags=kiln-demo-bake:latest --var GREETING=Hi)
DOCKER_HOST=unix:///var/run/docker.sock /usr/bin/docker run --rm kiln-demo-bake:latest

echo; echo "== kiln check examples/*.kiln.yaml examples/*.kiln.hcl"
"$kiln" check examples/*.kiln.yaml examples/*.kiln.hcl

echo; echo "== kiln print: the resolved targets of a group (like docker buildx bake --print)"
"$kiln" print -f examples/group.kiln.hcl services --var VERSION=2.0

echo; echo "== kiln schema (first lines of the JSON Schema editors use)"
"$kiln" schema | head -n 12

echo; echo "== kiln llb: the LLB of examples/format-sketch.kiln.yaml, target app (readable form, op names)"
"$kiln" llb examples/format-sketch.kiln.yaml --target app --format json \
  | python3 -c 'import json,sys; [print(" ", o["digest"][:19], (o["metadata"] or {}).get("description", {}).get("llb.customname", "(result)")) for o in json.load(sys.stdin)["definition"]["ops"]]'

echo; echo "== kiln graph (Mermaid) of examples/group.kiln.yaml"
"$kiln" graph --format mermaid examples/group.kiln.yaml

echo; echo "== what a mistake looks like: tests/corpus/bad/many-errors-sorted.kiln.yaml"
"$kiln" check tests/corpus/bad/many-errors-sorted.kiln.yaml || true
