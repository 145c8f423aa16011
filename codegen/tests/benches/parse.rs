//! Throughput of the generated `parse` on a realistic mix of HTTP command lines.
//!
//! `cargo bench -p atspec-codegen-tests --bench parse` reports time per batch; the batch holds
//! the lines below, so ns/line = time / lines and MB/s comes from criterion's byte throughput.

use atspec_codegen_tests::device;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

include!("shared/mix.rs");

fn parse_mix(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(mix_bytes()));
    g.bench_function(format!("mix of {} lines", MIX.len()), |b| {
        let mut scratch = [0u8; device::LINE_BYTES];
        b.iter(|| parse_batch(|line| device::parse(line, &mut scratch).is_ok()))
    });
    g.finish();
}

criterion_group!(benches, parse_mix);
criterion_main!(benches);
