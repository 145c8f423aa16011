//! Engine streaming throughput: response body bytes in through `handle_received`, payload
//! lines out through `poll_transmit`, with the default 2048-byte rx size.
//!
//! `cargo bench -p atspec-firmware --bench stream` — criterion's throughput is body bytes/s.

use std::hint::black_box;

use atspec_firmware::testkit::exchange;
use atspec_firmware::{Config, Engine};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const MIB: usize = 1 << 20;

fn streaming(c: &mut Criterion) {
    let body: Vec<u8> = (0..MIB).map(|i| (i * 31 % 251) as u8).collect();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(MIB as u64));
    g.bench_function("body 1 MiB → payload lines (rx 2048)", |b| {
        let mut uart = vec![0u8; 4096];
        b.iter_batched_ref(
            || {
                let mut e = Engine::new(Config::default());
                // The command sent, its request read, and the response head taken.
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {MIB}\r\n\r\n");
                let ex = exchange(
                    &mut e,
                    b"ATE0\r\nAT+HTTPCGET=\"http://h/\"\r\n",
                    head.as_bytes(),
                    usize::MAX,
                    false,
                );
                assert!(ex.request.starts_with(b"GET / "));
                e
            },
            |e| {
                let mut rest = &body[..];
                let mut out = 0usize;
                while !rest.is_empty() {
                    let took = e.handle_received(black_box(rest));
                    rest = &rest[took..];
                    loop {
                        let n = e.poll_transmit(&mut uart);
                        if n == 0 {
                            break;
                        }
                        out += n;
                    }
                }
                assert!(out > MIB);
                black_box(out)
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, streaming);
criterion_main!(benches);
