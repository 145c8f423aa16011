#!/usr/bin/env bash
# Builds the bare-metal firmware images (riscv32imc, firmware/bare/) with Debian's Rust
# toolchain and certifies them: every clause and 200 fuzzed sequences each.
#
#   ci/bare-metal.sh [extra `atspec certify` flags, e.g. --html bare-metal.html]
#   ci/bare-metal.sh --build-only   # build (and pack) the images, print `image NAME: PATH` lines
#
# harness/tests/bare_metal.rs builds the images with `--build-only`, so the test and CI build
# them one way, once.
#
# 1. QEMU `virt` (16550 UART, virtio-net): always.
# 2. The ESP32-C3 (UART0, OpenCores Ethernet MAC), packed with esptool and booted by the chip's
#    mask ROM in Espressif's QEMU: when ATSPEC_QEMU_ESP32C3 names that QEMU, or
#    ../shared/tools/qemu-esp32c3/ holds one.
#
# Installs what it needs: from Debian, rustc-web, cargo-web and rust-web-src (the toolchain,
# with -Zbuild-std=core), lld (the linker) and qemu-system-misc (the `virt` machine); from PyPI,
# esptool into target/esptool-venv. The host workspace keeps its own toolchain.
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

toolchain="$(/usr/bin/rustc --version) / $(/usr/bin/cargo --version) (Debian: rustc-web $(dpkg-query -W -f='${Version}' rustc-web 2>/dev/null || echo '?'))"
echo "== toolchain: $toolchain"

# The image takes none of the host cargo's settings. Any rustc-web from 1.85 up builds it
# (firmware/bare/tools/rustc-backports.sh turns on, below 1.88 only, what older ones lack).
build() {
  if ! (cd firmware/bare && env -u RUSTC -u RUSTC_WRAPPER -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS \
    -u CARGO_TARGET_DIR -u RUSTUP_TOOLCHAIN RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo build --release --locked --ignore-rust-version "$@"); then
    cat >&2 <<MSG
error: firmware/bare did not build with $toolchain.
  Debian's rustc-web moves with its updates; a new release can reject code an older one took
  (new deny-by-default lints, newly stable features). Read the first error above, fix the image
  source so that it builds on every rustc-web from 1.85 up, and keep features that a release
  below 1.88 lacks in firmware/bare/tools/rustc-backports.sh. To try another release:
  apt-cache policy rustc-web; apt-get install rustc-web=VERSION cargo-web=VERSION rust-web-src=VERSION
MSG
    exit 101
  fi
}

echo "== the virt image, riscv32imc-unknown-none-elf"
build
virt=firmware/bare/target/riscv32imc-unknown-none-elf/release/atspec-bare

qemu_c3="${ATSPEC_QEMU_ESP32C3:-}"
[ -z "$qemu_c3" ] && [ -x ../shared/tools/qemu-esp32c3/qemu-system-riscv32 ] \
  && qemu_c3="$(cd ../shared/tools/qemu-esp32c3 && pwd)/qemu-system-riscv32"
c3=""
if [ -n "$qemu_c3" ]; then
  echo "== the ESP32-C3 image, packed for the mask ROM"
  build --features esp32c3 --target-dir target/esp32c3
  c3=firmware/bare/target/esp32c3/riscv32imc-unknown-none-elf/release/atspec-bare
  if [ ! -x target/esptool-venv/bin/esptool ]; then
    python3 -m venv target/esptool-venv
    target/esptool-venv/bin/pip install --quiet --disable-pip-version-check 'esptool>=5,<6' \
      || { echo "error: esptool could not be installed from PyPI into target/esptool-venv" >&2; exit 1; }
  fi
  target/esptool-venv/bin/esptool --chip esp32c3 elf2image --output "$c3.bin" "$c3" >/dev/null
  target/esptool-venv/bin/esptool --chip esp32c3 merge-bin --fill-flash-size 4MB \
    -o "$c3.flash.bin" 0x0 "$c3.bin" >/dev/null
fi

if [ "${1:-}" = "--build-only" ]; then
  echo "image virt: $PWD/$virt"
  [ -n "$c3" ] && echo "image esp32c3: $PWD/$c3"
  exit 0
fi

cargo build --release -p atspec
certify() {
  ./target/release/atspec certify --device "$1" \
    --device-profile firmware/bare/device-profile.yaml --cases 200 "${@:2}"
}
echo "== certify the virt image"
certify "qemu:$virt" "$@"
if [ -n "$c3" ]; then
  echo "== certify the ESP32-C3 image"
  ATSPEC_QEMU_ESP32C3="$qemu_c3" certify "qemu-esp32c3:$c3" "$@"
fi
