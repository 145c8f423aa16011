#!/usr/bin/env bash
# Builds the bare-metal firmware image (riscv32imc, firmware/bare/) with Debian's Rust
# toolchain and certifies it in QEMU's `virt` machine: every clause and 200 fuzzed sequences.
#
#   ci/bare-metal.sh [extra `atspec certify` flags, e.g. --html bare-metal.html]
#
# Installs what it needs from Debian's packages: rustc-web, cargo-web and rust-web-src (the
# toolchain, built with -Zbuild-std=core), lld (the linker) and qemu-system-misc (the machine).
# The host workspace keeps its own toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/rustc ] && /usr/bin/rustc --version | grep -q '^rustc 1\.' || need+=(rustc-web)
[ -x /usr/bin/cargo ] || need+=(cargo-web)
[ -d /usr/lib/rustlib/src/rust/library/core ] || need+=(rust-web-src)
command -v ld.lld >/dev/null 2>&1 || need+=(lld)
command -v qemu-system-riscv32 >/dev/null 2>&1 || need+=(qemu-system-misc)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi

echo "== the image: $(/usr/bin/rustc --version), target riscv32imc-unknown-none-elf"
(
  cd firmware/bare
  # The host's cargo may have exported its own settings; the image takes none of them.
  env -u RUSTC -u RUSTC_WRAPPER -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_TARGET_DIR \
    -u RUSTUP_TOOLCHAIN RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo build --release --locked --ignore-rust-version
)
image=firmware/bare/target/riscv32imc-unknown-none-elf/release/atspec-bare
size "$image" 2>/dev/null || true

echo "== certify it"
cargo build --release -p atspec
exec ./target/release/atspec certify --device "qemu:$image" \
  --device-profile firmware/bare/device-profile.yaml --cases 200 "$@"
