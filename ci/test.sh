#!/usr/bin/env bash
# The README's test command, and .ci/run's: every test of the workspace.
#
# cargo-nextest runs the tests, each in its own process and many at once (.config/nextest.toml:
# most of them wait on a device rather than compute); it comes with the machine's toolchain and
# is installed from crates.io when it is not. The doc tests, which nextest does not run, go
# first, so the run ends on nextest's summary. `cargo test --workspace` runs the same tests
# one binary at a time (slower, and it passes too).
#
#   ci/test.sh                     every test
#   ci/test.sh -E 'binary(mutants)'  any nextest filter or option
#
# Property tests run their CI count (atspec_rt::strategy::CI_CASES); ci/deep.sh runs the full
# counts. Certification runs skip the deliberate waits (--skip-timing) except in the tests of
# timing (tests/common::certify_timed).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "== cargo-nextest is not installed: installing it from crates.io (once)"
  cargo install --locked cargo-nextest
fi

echo "== doc tests"
cargo test --workspace --doc --quiet

echo "== tests (cargo nextest)"
cargo nextest run --workspace "$@"
