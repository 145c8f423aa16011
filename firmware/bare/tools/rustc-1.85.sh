#!/bin/sh
# rustc wrapper for Debian's rustc-web 1.85 (with RUSTC_BOOTSTRAP=1): the host-side crates the
# spec proc-macro compiles (serde-saphyr among them) use let chains, `is_multiple_of` and
# `as_chunks`, stable only from 1.88/1.89. The sysroot's own crates are left alone.
rustc="$1"; shift
case "$*" in
  *rustlib/src*) exec "$rustc" "$@" ;;
esac
exec "$rustc" "$@" \
  -Zcrate-attr='feature(let_chains)' \
  -Zcrate-attr='feature(unsigned_is_multiple_of)' \
  -Zcrate-attr='feature(slice_as_chunks)' \
  -Aunused-features -Astable-features
