#!/usr/bin/env bash
# Gate a spec change in CI: compare spec/esp-at-http.yaml at a base revision with the working tree
# and fail (exit 1) when any change is breaking for firmware or hosts.
#
#   ci/spec-gate.sh [BASE_REV]        # default: origin/main, else HEAD~1
#
# A breaking change is not forbidden, only made visible: bump the spec's major version and say
# why in the change description, then merge with the gate's output attached.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-$(git rev-parse --verify -q origin/main || git rev-parse HEAD~1)}
old=$(mktemp --suffix=.yaml)
trap 'rm -f "$old"' EXIT
git show "$base:spec/esp-at-http.yaml" > "$old"
echo "spec diff $base → working tree"
cargo run --quiet -p atspec -- spec diff "$old" spec/esp-at-http.yaml
