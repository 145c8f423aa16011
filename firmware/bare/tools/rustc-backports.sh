#!/bin/sh
# rustc wrapper for Debian's rustc-web (run with RUSTC_BOOTSTRAP=1, as ci/bare-metal.sh does).
#
# The host-side crates the spec proc-macro compiles (serde-saphyr among them) use let chains,
# `is_multiple_of` and `as_chunks`: stable from rustc 1.88 (1.87 for `is_multiple_of`). On an
# older compiler (Debian shipped 1.85 before 1.96) this turns those features on as unstable
# ones; on 1.88 and later it adds nothing and is a plain pass-through, so the image builds on
# whatever rustc-web Debian serves from 1.85 up. The sysroot's own crates are never touched.
rustc="$1"; shift
case "$*" in
  *rustlib/src*) exec "$rustc" "$@" ;;
esac
# `rustc 1.85.0 (…)`: the minor version decides. Unparseable means "new enough".
minor=$("$rustc" --version 2>/dev/null | sed -n 's/^rustc 1\.\([0-9][0-9]*\)\..*/\1/p')
if [ -n "$minor" ] && [ "$minor" -lt 88 ]; then
  exec "$rustc" "$@" \
    -Zcrate-attr='feature(let_chains)' \
    -Zcrate-attr='feature(unsigned_is_multiple_of)' \
    -Zcrate-attr='feature(slice_as_chunks)' \
    -Aunused-features -Astable-features
fi
exec "$rustc" "$@"
