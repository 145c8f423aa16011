//! Fuzzing: deterministic for a seed; a failure is shrunk, saved, and replays.

mod common;

use common::{atspec, certify, tempdir};

fn verdicts(report: &serde_json::Value) -> Vec<(String, String)> {
    report["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn three_runs_with_one_seed_give_identical_verdicts() {
    let runs: Vec<_> = (0..3)
        .map(|i| {
            certify(
                &format!("det{i}"),
                &["--seed", "424242", "--cases", "40", "--no-well-known-ports"],
            )
        })
        .collect();
    for (run, _) in &runs {
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    }
    let first = verdicts(&runs[0].1);
    assert_eq!(first.len(), 169);
    for (_, report) in &runs[1..] {
        assert_eq!(verdicts(report), first);
        // The same seed sends the same sequences.
        assert_eq!(report["fuzz"]["steps"], runs[0].1["fuzz"]["steps"]);
        assert_eq!(report["fuzz"]["sequences"], runs[0].1["fuzz"]["sequences"]);
    }
}

#[test]
fn a_fuzzing_failure_is_shrunk_saved_and_replays() {
    // Upper-case ERR CODE digits show up in almost any sequence that provokes an error code.
    let (run, report) = certify(
        "shrink2",
        &[
            "--mutant",
            "errcode-uppercase",
            "--cases",
            "100",
            "--seed",
            "3",
            "--max-shrink-time",
            "20",
            "--no-well-known-ports",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failure = &report["fuzz"]["failure"];
    assert!(
        failure.is_object(),
        "fuzzing must find the mutant: {}",
        run.stdout
    );
    let steps = failure["steps"].as_array().unwrap();
    // Shrunk: one command that provokes an error code is enough (plus at most a state change).
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
    let saved = report["fuzz"]["saved"].as_str().unwrap().to_string();
    assert!(std::path::Path::new(&saved).is_file(), "{saved}");

    // Replaying against the same mutant reproduces it with a byte diff ...
    let r = atspec(&[
        "replay",
        &saved,
        "--mutant",
        "errcode-uppercase",
        "--no-well-known-ports",
    ]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("expected:") && r.stdout.contains("actual:"),
        "{}",
        r.stdout
    );
    // ... and the conformant board passes it.
    let r = atspec(&["replay", &saved, "--no-well-known-ports"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn replay_rejects_a_broken_transcript_with_its_position() {
    let dir = tempdir("badreplay");
    let f = dir.join("bad.json");
    std::fs::write(&f, "{\n  \"case\": 3\n}").unwrap();
    let r = atspec(&["replay", f.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.json:2:"), "{}", r.stderr);
}
