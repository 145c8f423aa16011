//! Benchmark: one certification (every clause check + 200 fuzzed sequences) on one virtual
//! board and shared out among four (`--device virtual` ×4), unpaced and at a module's 115200
//! baud; prints the wall times and the speed-up.
//!
//! `cargo bench -p atspec --bench farm`. Unpaced, the run is CPU-bound (oracle, board, mock),
//! so the speed-up is capped by the cores; at 115200 baud the serial line dominates, as with
//! real modules, and four boards approach a quarter of the time.

use std::process::Command;
use std::time::Instant;

fn certify(boards: usize, baud: Option<u32>) -> (f64, serde_json::Value) {
    let dir = std::env::temp_dir().join(format!("atspec-farm-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let json = dir.join("report.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atspec"));
    cmd.args([
        "certify", "--quiet", "--cases", "200", "--seed", "3", "--json",
    ])
    .arg(&json);
    for _ in 0..boards {
        cmd.args(["--device", "virtual"]);
    }
    if let Some(b) = baud {
        cmd.args(["--baud", &b.to_string()]);
    }
    let start = Instant::now();
    let out = cmd.output().expect("run atspec certify");
    let wall = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "certify failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = serde_json::from_str(&std::fs::read_to_string(&json).expect("report"))
        .expect("JSON report");
    let _ = std::fs::remove_dir_all(&dir);
    (wall, report)
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{cores} cores");
    for baud in [None, Some(115_200)] {
        let label = baud.map_or("unpaced".to_string(), |b| format!("{b} baud"));
        let (one, r1) = certify(1, baud);
        let (four, r4) = certify(4, baud);
        // Same work both ways: every check and every fuzzed case once.
        assert_eq!(
            r1["checks"].as_array().map(Vec::len),
            r4["checks"].as_array().map(Vec::len)
        );
        assert_eq!(r1["fuzz"]["cases"], r4["fuzz"]["cases"]);
        assert_eq!(r4["devices"].as_array().map(Vec::len), Some(4));
        println!(
            "farm ({label}, every check + 200 fuzzed sequences): 1 board {one:.2} s, 4 boards {four:.2} s — {:.2}× faster ({:.0}% of one board's time)",
            one / four,
            100.0 * four / one
        );
    }
}
