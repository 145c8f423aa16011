//! Throughput of the generated `parse` on a realistic mix of HTTP command lines.
//!
//! `cargo bench -p atspec-codegen-tests --bench parse` reports time per batch; the batch holds
//! the lines below, so ns/line = time / lines and MB/s comes from criterion's byte throughput.

use std::hint::black_box;

use atspec_codegen_tests::device;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const MIX: &[&[u8]] = &[
    br#"AT+HTTPCLIENT=2,0,"http://httpbin.org/get","httpbin.org","/get",1"#,
    br#"AT+HTTPCLIENT=3,1,"http://192.168.4.2:8080/api/v1/telemetry",,,1,"{\"t\":21.5\,\"h\":40\,\"id\":\"dev-42\"}","Authorization: Bearer abcdef0123456789""#,
    br#"AT+HTTPCGET="https://example.com/firmware/v2/image.bin",1024,4096,30000"#,
    br#"AT+HTTPGETSIZE="http://www.baidu.com/img/bdlogo.gif""#,
    br#"AT+HTTPCPOST="http://h.example/upload",1024,2,"Content-Type: application/octet-stream","X-Device: 42""#,
    br#"AT+HTTPCPUT="",512"#,
    b"AT+HTTPURLCFG=300",
    b"AT+HTTPCHEAD=18",
    b"AT+HTTPCFG=2,0,0",
    b"AT+SYSLOG=1",
    b"AT",
];

fn parse_mix(c: &mut Criterion) {
    // The bytes `parse` actually reads: the lines without their CR LF.
    let bytes: usize = MIX.iter().map(|l| l.len()).sum();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("mix of {} lines", MIX.len()), |b| {
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
    g.finish();
}

criterion_group!(benches, parse_mix);
criterion_main!(benches);
