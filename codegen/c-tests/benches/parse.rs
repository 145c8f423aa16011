//! The generated C parser (`-O2`) beside the Rust one, on the same 11-line mix as
//! `cargo bench -p atspec-codegen-tests --bench parse`, in one run:
//! `cargo bench -p atspec-c-tests --bench parse`. ns/line = time per batch / 11.

use std::hint::black_box;

use atspec_c_tests::{Outcome, c_parse, device};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

include!("../../tests/benches/shared/mix.rs");

fn side_by_side(c: &mut Criterion) {
    let bytes: usize = MIX.iter().map(|l| l.len()).sum();
    // Both parsers accept every line of the mix (else the bench would time rejections).
    for line in MIX {
        assert!(matches!(c_parse(line, 256), Outcome::Command { .. }));
    }
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("rust, mix of {} lines", MIX.len()), |b| {
        let mut scratch = [0u8; device::LINE_BYTES];
        b.iter(|| {
            let mut ok = 0usize;
            for line in MIX {
                if device::parse(black_box(line), &mut scratch).is_ok() {
                    ok += 1;
                }
            }
            assert_eq!(ok, MIX.len());
        })
    });
    g.bench_function(format!("c -O2, mix of {} lines", MIX.len()), |b| {
        let mut scratch = [0u8; device::LINE_BYTES];
        b.iter(|| {
            let mut ok = 0usize;
            for line in MIX {
                if atspec_c_tests::c_parse_only(black_box(line), &mut scratch) {
                    ok += 1;
                }
            }
            assert_eq!(ok, MIX.len());
        })
    });
    g.finish();
}

criterion_group!(benches, side_by_side);
criterion_main!(benches);
