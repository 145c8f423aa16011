#!/usr/bin/env bash
# The lints and the builds .ci/run runs before the tests: clippy (also with the probe-rs link),
# the docs, the no_std builds, and the engine's own tests without the `mutants` feature that the
# workspace unifies in. `ci/lints.sh` runs them alone, as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== clippy with the probe-rs link (there is no probe here: it must build)"
cargo clippy -p atspec --features probe -- -D warnings
echo "== docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
echo "== no_std builds (each on its own, so no std feature is unified in)"
cargo build -p atspec-nostd-check
cargo build -p atspec-firmware
echo "== the engine's own tests, without the mutants feature the workspace unifies in"
# Their output goes to a file of its own, so a CI log's only test summary is the test
# command's (which counts every test, these included).
log="${CARGO_TARGET_DIR:-target}/engine-tests.log"
mkdir -p "$(dirname "$log")"
if ! cargo test -p atspec-firmware > "$log" 2>&1; then
  cat "$log"
  exit 1
fi
echo "engine tests without mutants: ok ($(grep -c '^test .* ok$' "$log") tests; $log)"
