#!/usr/bin/env bash
# Code size of the generated C parser beside the Rust one (the figures in docs/performance.md).
#
# - `size` of codegen/c/atspec_at.o (text = code + read-only data) under gcc and clang at -O2
#   on x86-64 and clang -Os for rv32imc, with the clause table (ids, statements, sources: data)
#   and without it (-DATSPEC_CLAUSE_TABLE=0);
# - the parse path alone in the release bench binary (nm symbol sizes, x86-64): the C
#   `atspec_parse` and the static helpers it calls, beside the Rust `device::parse`, the form
#   parsers and the atspec_rt functions they call.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
src=codegen/c/atspec_at.c
flags=(-std=c99 -Wall -Wextra -Werror -pedantic)
row() { # label, compiler and flags...
  local label="$1"; shift
  "$@" "${flags[@]}" -c "$src" -o "$tmp/a.o"
  "$@" "${flags[@]}" -DATSPEC_CLAUSE_TABLE=0 -c "$src" -o "$tmp/b.o"
  "$@" "${flags[@]}" -DATSPEC_CLAUSE_TABLE=0 -fno-asynchronous-unwind-tables -c "$src" -o "$tmp/c.o"
  printf '| %s | %s | %s | %s |\n' "$label" \
    "$(size "$tmp/a.o" | awk 'NR==2 {print $1}')" "$(size "$tmp/b.o" | awk 'NR==2 {print $1}')" \
    "$(size "$tmp/c.o" | awk 'NR==2 {print $1}')"
}
# `size` counts unwind tables (.eh_frame) as text; firmware builds usually leave them out.
echo "| C object (\`size\`, text bytes) | with clause table | without | without, no unwind tables |"
echo "|---|---|---|---|"
row "gcc $(gcc -dumpversion) -O2, x86-64" gcc -O2
command -v clang >/dev/null && row "clang -O2, x86-64" clang -O2
command -v clang >/dev/null && row "clang -Os, rv32imc (freestanding)" clang --target=riscv32-unknown-elf -march=rv32imc -mabi=ilp32 -ffreestanding -Os
echo
cargo bench -q -p atspec-c-tests --bench parse --no-run 2>/dev/null
bin="$(ls -t target/release/deps/parse-* | grep -v '\.d$' | head -1)"
nm -S -C "$bin" | python3 -c '
import sys
rust = c = 0
helpers = {"parse_line","lookup","split","take_int","take_str","raw_field","reject","parse_int","contains","ascii_ieq","is_name_byte"}
for line in sys.stdin:
    p = line.split(None, 3)
    if len(p) < 4 or p[2] not in "tT":
        continue
    size, name = int(p[1], 16), p[3].strip()
    if ("atspec_c_tests::device::" in name or "atspec_rt::" in name) and not any(x in name for x in ("strategy", "decode", "encode", "host::")):
        if "respond::" not in name:
            rust += size
    elif name == "atspec_parse" or name in helpers or name.startswith("parse_http") or name.startswith("parse_syslog"):
        c += size
print("| parse path in the release bench binary (nm, x86-64) | bytes |")
print("|---|---|")
print(f"| Rust: device::parse, form parsers, atspec_rt | {rust} |")
print(f"| C: atspec_parse and its helpers (gcc -O2) | {c} |")
'
