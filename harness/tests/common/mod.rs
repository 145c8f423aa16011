//! Running the real `atspec` binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `atspec ARGS`.
pub fn atspec(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(args)
        .output()
        .expect("run atspec");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh temporary directory.
pub fn tempdir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("atspec-test-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `atspec certify ARGS --json FILE` and returns the run and the parsed report.
pub fn certify(tag: &str, args: &[&str]) -> (Run, serde_json::Value) {
    let dir = tempdir(tag);
    let json = dir.join("report.json");
    let failures = dir.join("failures");
    let mut all = vec![
        "certify",
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--failures",
        failures.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let run = atspec(&all);
    let report = std::fs::read_to_string(&json)
        .map(|t| serde_json::from_str(&t).expect("report is JSON"))
        .unwrap_or(serde_json::Value::Null);
    (run, report)
}

/// Clause ids with this verdict.
pub fn clauses_with(report: &serde_json::Value, verdict: &str) -> Vec<String> {
    report["clauses"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["verdict"] == verdict)
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}
