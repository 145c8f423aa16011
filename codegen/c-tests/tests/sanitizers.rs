//! A second build of the generated C, under AddressSanitizer and UndefinedBehaviorSanitizer
//! (`-fno-sanitize-recover=all`: the first report ends the run), parses and writes a corpus
//! drawn from the same strategies as the differential tests. Every buffer the driver passes is
//! allocated to its exact size, so one byte read past a line or written past a scratch buffer
//! is a report. The driver prints each outcome; it must match the Rust device code's.

use std::path::{Path, PathBuf};
use std::process::Command;

use atspec_c_tests::{Arg, GENERATED_DIR, WRITERS, hex, host, rust_parse, rust_write};
use atspec_rt::strategy::arbitrary_line;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// A C compiler with both sanitizers: gcc (its libasan and libubsan come with it), else clang (whose runtime is a separate Debian package). In CI a missing one fails the test.
fn compiler() -> Option<&'static str> {
    let found = ["gcc", "clang"].into_iter().find(|cc| {
        Command::new(cc)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() && std::env::var_os("CI").is_some() {
        panic!("no C compiler (clang or gcc) on PATH: .ci/run installs both");
    }
    found
}

fn build(cc: &str, dir: &Path) -> PathBuf {
    let exe = dir.join("sanitized");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("csrc/sanitize_main.c");
    let generated = Path::new(GENERATED_DIR);
    let out = Command::new(cc)
        .args([
            "-std=c99",
            "-g",
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
        ])
        .args([
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ])
        .arg("-DATSPEC_REFLECT=1")
        .arg("-I")
        .arg(generated)
        .arg(generated.join("atspec_at.c"))
        .arg(generated.join("shim_writers.c"))
        .arg(generated.join("shim.c"))
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run the C compiler");
    assert!(
        out.status.success(),
        "{cc} could not build the sanitized driver:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn u32le(v: &mut Vec<u8>, x: usize) {
    v.extend_from_slice(&(x as u32).to_le_bytes());
}

fn sample<S: Strategy>(runner: &mut TestRunner, s: &S, n: usize) -> Vec<S::Value> {
    (0..n)
        .map(|_| s.new_tree(runner).unwrap().current())
        .collect()
}

/// The corpus and, per record, the line the driver must print.
fn corpus() -> (Vec<u8>, Vec<String>) {
    let mut runner = TestRunner::deterministic();
    let mut lines: Vec<(Vec<u8>, usize)> = Vec::new();
    let body = |l: Vec<u8>| {
        l.strip_suffix(host::TERMINATOR)
            .map(<[u8]>::to_vec)
            .unwrap_or(l)
    };
    for c in sample(&mut runner, &host::strategies::valid(), 6_000) {
        let l = body(host::encode(&c));
        // Every second valid line gets a scratch buffer cut short somewhere.
        let scratch = if lines.len().is_multiple_of(2) {
            l.len()
        } else {
            l.len() * (lines.len() % 7) / 7
        };
        lines.push((l, scratch));
    }
    for (l, _, _) in sample(&mut runner, &host::strategies::invalid(), 6_000) {
        let l = body(l);
        let n = l.len();
        lines.push((l, n));
    }
    for l in sample(&mut runner, &arbitrary_line(), 6_000) {
        let n = l.len();
        lines.push((l, n));
    }
    let mut data = Vec::new();
    let mut expected = Vec::new();
    for (l, scratch) in lines {
        data.push(b'P');
        u32le(&mut data, l.len());
        u32le(&mut data, scratch);
        data.extend_from_slice(&l);
        expected.push(rust_parse(&l, scratch).canonical());
    }
    for k in 0..2_000usize {
        let id = k % WRITERS.len();
        let parts = WRITERS[id].parts;
        let part = (k / WRITERS.len()) % parts.len();
        let kinds = parts[part];
        let ints: Vec<i64> = kinds
            .iter()
            .filter(|a| **a != Arg::Bytes)
            .enumerate()
            .map(|(j, a)| {
                let v = [0i64, -1, i64::MIN, i64::MAX, 4_294_967_295, 12_345][(k + j) % 6];
                if *a == Arg::Length {
                    v.unsigned_abs().min(i64::MAX as u64) as i64
                } else {
                    v
                }
            })
            .collect();
        let bytes: Vec<Vec<u8>> = kinds
            .iter()
            .filter(|a| **a == Arg::Bytes)
            .enumerate()
            .map(|(j, _)| (0..(k * 7 + j) % 40).map(|b| (b * 37 + k) as u8).collect())
            .collect();
        data.push(b'W');
        u32le(&mut data, id);
        u32le(&mut data, part);
        u32le(&mut data, ints.len());
        for v in &ints {
            data.extend_from_slice(&v.to_le_bytes());
        }
        u32le(&mut data, bytes.len());
        for b in &bytes {
            u32le(&mut data, b.len());
            data.extend_from_slice(b);
        }
        let refs: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
        expected.push(format!("W {}", hex(&rust_write(id, part, &ints, &refs))));
    }
    (data, expected)
}

#[test]
fn the_sanitized_build_runs_the_corpus_cleanly_and_agrees() {
    let Some(cc) = compiler() else {
        eprintln!("skipped: no C compiler");
        return;
    };
    let dir = std::env::temp_dir().join(format!("atspec-c-sanitize-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exe = build(cc, &dir);
    let (data, expected) = corpus();
    let file = dir.join("corpus.bin");
    std::fs::write(&file, &data).unwrap();
    let out = Command::new(&exe)
        .arg(&file)
        .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        .env("UBSAN_OPTIONS", "print_stacktrace=1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("Sanitizer") && !stderr.contains("runtime error"),
        "the sanitized build reported ({}):\n{stderr}",
        out.status
    );
    let got: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(got.len(), expected.len(), "one line per record");
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "record {i}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
