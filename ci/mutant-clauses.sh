#!/usr/bin/env bash
# Regenerates fixtures/mutant-clauses.json: for each mutant it records, the clauses that fail
# or hang when the virtual board runs it (every check, timing included, no fuzzing, without
# the well-known ports: what harness/tests/mutants.rs runs). Run it after a deliberate change
# to the checks, the oracle or a mutant, and review the diff: each entry is what the mutant is
# known to break. The mutant tests fail while the file is stale.
#
#   ci/mutant-clauses.sh                 every mutant the file records
#   ci/mutant-clauses.sh NAME…           these (added when new)
set -euo pipefail
cd "$(dirname "$0")/.."
FIXTURE=fixtures/mutant-clauses.json
cargo build --quiet -p atspec --features mutants
if [ "$#" -gt 0 ]; then
  names=("$@")
else
  mapfile -t names < <(python3 -c "import json,sys; print('\n'.join(json.load(open(sys.argv[1]))))" "$FIXTURE")
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The runs mostly wait on the board, so four at a time.
printf '%s\n' "${names[@]}" | xargs -P 4 -I{} sh -c \
  'target/debug/atspec certify --quiet --mutant "$1" --cases 0 --no-well-known-ports --json "$2/$1.json" >/dev/null 2>&1; [ -s "$2/$1.json" ] || { echo "error: no report for mutant $1" >&2; exit 1; }' \
  _ {} "$out"
python3 - "$FIXTURE" "$out" "${names[@]}" <<'PY'
import json, sys
path, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
record = json.load(open(path))
for name in names:
    r = json.load(open(f"{out}/{name}.json"))
    record[name] = sorted(c["id"] for c in r["clauses"] if c["verdict"] in ("fail", "hung"))
with open(path, "w") as f:
    f.write(json.dumps(record, indent=1, sort_keys=True) + "\n")
print(f"{path}: {len(names)} mutant(s) recorded")
PY
