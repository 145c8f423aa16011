//! Benchmark: a full `atspec certify` against the built-in virtual board — every clause check
//! plus 500 fuzzed sequences — run three times; prints wall time and cases per second.
//!
//! `cargo bench -p atspec --bench certify` (set `ATSPEC_BENCH_RUNS` for more or fewer runs).

use std::process::Command;
use std::time::Instant;

fn main() {
    let runs: usize = std::env::var("ATSPEC_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = std::env::temp_dir().join(format!("atspec-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let json = dir.join("report.json");
    let mut walls = Vec::new();
    let mut last = serde_json::Value::Null;
    for i in 0..runs {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_atspec"))
            .args([
                "certify", "--quiet", "--cases", "500", "--seed", "1", "--json",
            ])
            .arg(&json)
            .output()
            .expect("run atspec certify");
        let wall = start.elapsed().as_secs_f64();
        assert!(
            out.status.success(),
            "certify failed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        last =
            serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("JSON");
        println!("run {}: {wall:.2} s", i + 1);
        walls.push(wall);
    }
    walls.sort_by(f64::total_cmp);
    let median = walls[walls.len() / 2];
    let checks = last["checks"].as_array().map_or(0, Vec::len);
    let sequences = last["fuzz"]["sequences"].as_u64().unwrap_or(0);
    let steps = last["fuzz"]["steps"].as_u64().unwrap_or(0);
    let cases = checks as u64 + sequences;
    println!(
        "certify (virtual board, {checks} clause checks + {sequences} fuzzed sequences / {steps} steps): \
         median {median:.2} s over {runs} runs (min {:.2}, max {:.2}); {:.0} cases/s, {:.0} steps/s",
        walls[0],
        walls[walls.len() - 1],
        cases as f64 / median,
        steps as f64 / median,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
