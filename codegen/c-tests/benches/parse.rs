//! The generated C parser (`-O2`) beside the Rust one, on the same 11-line mix as
//! `cargo bench -p atspec-codegen-tests --bench parse`, in one run:
//! `cargo bench -p atspec-c-tests --bench parse`. ns/line = time per batch / 11.

use atspec_c_tests::{Outcome, c_parse, c_parse_only, device};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

include!("../../tests/benches/shared/mix.rs");

fn side_by_side(c: &mut Criterion) {
    // Both parsers accept every line of the mix (else the bench would time rejections).
    for line in MIX {
        assert!(matches!(c_parse(line, 256), Outcome::Command { .. }));
    }
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(mix_bytes()));
    g.bench_function(format!("rust, mix of {} lines", MIX.len()), |b| {
        let mut scratch = [0u8; device::LINE_BYTES];
        b.iter(|| parse_batch(|line| device::parse(line, &mut scratch).is_ok()))
    });
    g.bench_function(format!("c -O2, mix of {} lines", MIX.len()), |b| {
        let mut scratch = [0u8; device::LINE_BYTES];
        b.iter(|| parse_batch(|line| c_parse_only(line, &mut scratch)))
    });
    g.finish();
}

criterion_group!(benches, side_by_side);
criterion_main!(benches);
