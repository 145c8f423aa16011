#!/usr/bin/env bash
# The deep run: what CI trades for speed, run in full. Every property test at its full case
# count (ATSPEC_DEEP=1; CI runs atspec_rt::strategy::CI_CASES of each), then a long fuzzing
# campaign against the virtual board with every check (timing included). Its figures replace
# the block between the `deep:` markers in docs/performance.md; commit that with the change
# they measure.
#
#   ci/deep.sh                      defaults: 20,000 fuzzed sequences, seed 1
#   FUZZ_CASES=100000 SEED=7 ci/deep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_CASES="${FUZZ_CASES:-20000}"
SEED="${SEED:-1}"
OUT=target/deep
mkdir -p "$OUT"

echo "== property tests at their full counts (debug, as the test suite builds them)"
t0=$(date +%s)
ATSPEC_DEEP=1 cargo nextest run -p atspec-firmware -p atspec-codegen-tests \
  -E 'binary(properties) | binary(robustness) | binary(framing)'
t1=$(date +%s)

echo "== fuzzing campaign: $FUZZ_CASES sequences, seed $SEED (release build)"
cargo build --release -p atspec --quiet
t1=$(date +%s)
set +e
target/release/atspec certify --quiet --cases "$FUZZ_CASES" --seed "$SEED" \
  --json "$OUT/fuzz.json" --html "$OUT/fuzz.html" --failures "$OUT/failures"
code=$?
set -e
t2=$(date +%s)

row=$(python3 - "$OUT/fuzz.json" "$code" "$((t1 - t0))" "$((t2 - t1))" "$FUZZ_CASES" "$SEED" <<'PY'
import json, sys
path, code, props, fuzz_s, cases, seed = sys.argv[1:]
r = json.load(open(path))
f = r["fuzz"] or {}
seqs, steps = f.get("sequences", 0), f.get("steps", 0)
fuzz_s = max(int(fuzz_s), 1)
print(f"| {r['verdict'].upper()} (exit {code}) | {props} s | {seqs:,} of {int(cases):,} sequences, "
      f"{steps:,} steps, seed {seed}, {f.get('failing', 0)} failing | {fuzz_s} s "
      f"for the whole certify run, its 140 checks included |")
PY
)
echo "$row"
python3 - docs/performance.md "$row" "$(date -u +%Y-%m-%d)" "$(git rev-parse --short HEAD)" <<'PY'
import sys
path, row, day, rev = sys.argv[1:]
text = open(path).read()
begin, end = "<!-- deep:begin -->", "<!-- deep:end -->"
block = (f"{begin}\nLast deep run: {day}, commit {rev} (`ci/deep.sh`).\n\n"
         "| certify verdict | property tests, full counts | fuzzing campaign | certify time |\n"
         "|---|---|---|---|\n" + row + f"\n{end}")
if begin in text and end in text:
    text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n## The deep run\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "figures written to docs/performance.md"
[ "$code" -eq 0 ]
