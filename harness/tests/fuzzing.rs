//! Fuzzing: deterministic for a seed; a failure is shrunk, saved, and replays.

mod common;

use common::{atspec, certify, clause_verdicts, tempdir};

#[test]
fn one_seed_gives_byte_identical_transcripts_and_two_seeds_differ() {
    // Every fuzzed sequence's steps, expected and actual bytes and recorded requests, mock
    // ports replaced by endpoint names and body pieces merged (their sizes follow timing).
    let dir = tempdir("det");
    // One address for the three runs (one after another): the log names endpoints, not ports.
    let bind = common::own_loopback();
    let run = |tag: &str, seed: &str| {
        let log = dir.join(format!("{tag}.jsonl"));
        let (run, report) = certify(
            tag,
            &[
                "--seed",
                seed,
                "--cases",
                "40",
                "--mock-bind",
                &bind,
                "--fuzz-log",
                log.to_str().unwrap(),
            ],
        );
        common::assert_conformant_but_timing(&run, &report);
        (
            std::fs::read_to_string(&log).unwrap(),
            clause_verdicts(&report),
        )
    };
    let (first, v1) = run("det0", "424242");
    // Timeouts fire in fuzzed cases: a stalling server outlasts a short timeout (the device
    // ends on its failure path) and is outlasted by a long one (the late answer comes).
    let (fired, outlasted) = stalled_gets(&first);
    assert!(
        fired > 0 && outlasted > 0,
        "short timeouts that fired: {fired}, long ones outlasted: {outlasted}"
    );
    let (second, v2) = run("det1", "424242");
    let (other, _) = run("det2", "424243");
    assert_eq!(first.lines().count(), 40);
    assert_eq!(v1.len(), atspec_firmware::device::Clause::ALL.len());
    assert_eq!(v1, v2);
    // Byte for byte, line by line (so a failure names the sequence that differs).
    for (i, (a, b)) in first.lines().zip(second.lines()).enumerate() {
        assert_eq!(a, b, "sequence {i} differs between two runs of one seed");
    }
    assert_eq!(first, second);
    // A fuzzer that ignored --seed would pass the above; it cannot pass this.
    assert_ne!(first, other, "two seeds gave the same sequences");
    let same = first
        .lines()
        .zip(other.lines())
        .filter(|(a, b)| a == b)
        .count();
    assert!(
        same < 10,
        "{same} of 40 sequences are the same under two seeds"
    );
}

/// In a fuzz log, the GETs sent right after a stalling server was set up: how many with the
/// short timeout ended in ERROR, and how many with the long one ended in OK (each judged
/// against the oracle too: the log holds only passing sequences here).
fn stalled_gets(log: &str) -> (usize, usize) {
    let (mut fired, mut outlasted) = (0, 0);
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let records = v["records"].as_array().unwrap();
        for pair in records.windows(2) {
            if pair[0]["step"]["scenario"]["delay_ms"] != 400 {
                continue;
            }
            let sent = pair[1]["step"]["bytes"].as_str().unwrap_or_default();
            let answer = pair[1]["actual"].as_str().unwrap_or_default();
            if sent.ends_with(",100\\r\\n") && answer.ends_with("ERROR\\r\\n") {
                fired += 1;
            }
            if sent.ends_with(",2000\\r\\n") && answer.ends_with("OK\\r\\n") {
                outlasted += 1;
            }
        }
    }
    (fired, outlasted)
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
            // Replay below runs on 127.0.0.1 and needs addresses of the same length.
            "--mock-bind",
            "127.0.0.1:0",
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
    // The saved transcript is the failing run itself, with its diff, not a re-run that may
    // have passed; the shrunk case is run again and fails again.
    assert_eq!(failure["verdict"]["verdict"], "fail", "{failure}");
    assert!(
        failure["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["mismatch"].is_string()),
        "{failure}"
    );
    assert_eq!(failure["note"], "failed again in 2 of 2 re-runs");
    // Fuzzing went on past its first failure (one failure cannot hide the others) and counts
    // shrinking apart from the sequences asked for.
    let fuzz = &report["fuzz"];
    let (sequences, failing) = (
        fuzz["sequences"].as_u64().unwrap(),
        fuzz["failing"].as_u64().unwrap(),
    );
    assert!(failing >= 2, "stopped at the first failure: {fuzz}");
    assert!(sequences <= 100, "{sequences} of 100 sequences");
    assert!(fuzz["shrink_runs"].as_u64().unwrap() >= 2, "{fuzz}");
    if fuzz["stopped_early"] == true {
        assert!(sequences < 100);
        assert!(
            report["gaps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g.as_str().unwrap().starts_with("fuzzing stopped after")),
            "{}",
            report["gaps"]
        );
    } else {
        assert_eq!(sequences, 100);
    }
    assert!(
        run.stdout
            .contains(&format!("{failing} of {sequences} fuzzed sequences failed")),
        "{}",
        run.stdout
    );
    if let Some(original) = report["fuzz"]["original"].as_str() {
        let text = std::fs::read_to_string(original).unwrap();
        assert!(text.contains("before shrinking"), "{text}");
        assert!(text.contains("\"verdict\": \"fail\""), "{text}");
    }

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

/// Something else holds port 80 (another program, or another certification run on the same
/// machine). A run without the well-known ports must not fuzz AT+HTTPCLIENT's host/path mode
/// into it: before that rule, seed 10 reached the foreign server and was failed for it.
#[test]
fn fuzzing_stays_off_ports_it_does_not_hold() {
    use std::io::{Read, Write};
    // Hold port 80 with an HTTP server that answers everything, unless another test already
    // holds it (which is the same situation for this run).
    let listener = std::net::TcpListener::bind("127.0.0.1:80").ok();
    if let Some(l) = listener {
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let mut s = s;
                let mut buf = [0u8; 4096];
                let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(200)));
                let _ = s.read(&mut buf);
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            }
        });
    }
    let (run, report) = certify(
        "foreign80",
        &[
            "--seed",
            "10",
            "--cases",
            "100",
            "--no-well-known-ports",
            "--mock-bind",
            "127.0.0.1:0",
        ],
    );
    // Nothing failed; host/path mode is unproved without its ports.
    common::assert_incomplete(&run, &report, Some(&["HTTPCLIENT.URL.HOST_PATH"]), &[]);
    assert!(report["fuzz"]["failure"].is_null());
}
