#!/usr/bin/env bash
# End-to-end tests while other builds use the same daemons (issue 16): two copies of a set
# of the daemon tier's test binaries run at the same time against the bench, and both must
# pass. Every test uses its own tags, nonces and cache ids and never prunes, so neither copy
# may see the other. Needs the bench up (scripts/testbed.sh up) and the frontend image.
#   scripts/concurrency.sh                      KILN_CONCURRENT_TESTS="packages_e2e" scripts/concurrency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a tests <<<"${KILN_CONCURRENT_TESTS:-packages_e2e sources_e2e load_e2e}"
eval "$(scripts/testbed.sh env)"

test_args=()
for t in "${tests[@]}"; do test_args+=(--test "$t"); done
# Built once; the binaries then run as cargo would run them (from the package's folder).
mapfile -t binaries < <(cargo test --quiet -p kiln-testbed --features daemon-tests "${test_args[@]}" \
  --no-run --message-format=json | python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message.get("executable"):
        print(message["executable"])
')
[ ${#binaries[@]} -eq ${#tests[@]} ] || { echo "expected ${#tests[@]} test binaries, got ${#binaries[@]}" >&2; exit 1; }

logs=$(mktemp -d)
run_copy() { # run_copy N: every binary in turn; the first failure ends the copy
  local n=$1
  for binary in "${binaries[@]}"; do
    (cd tests && "$binary" --quiet) >>"$logs/copy-$n.log" 2>&1 || return 1
  done
}
start=$SECONDS
run_copy 1 & first=$!
run_copy 2 & second=$!
status=0
wait "$first" || status=1
wait "$second" || status=$((status + 2))
printf 'concurrency: %s twice at once: %s in %d s\n' "${tests[*]}" \
  "$([ $status -eq 0 ] && echo "both copies passed" || echo FAILED)" $((SECONDS - start))
if [ $status -ne 0 ]; then
  for n in 1 2; do
    echo "---- copy $n (last 80 lines of $logs/copy-$n.log)"
    tail -80 "$logs/copy-$n.log"
  done
  exit 1
fi
rm -rf "$logs"
