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

/// A loopback address no other run of the tests uses at the same time, with port 0:
/// `127.A.B.1:0`. A mock peer bound there holds ports 80 and 443 of its own (AT+HTTPCLIENT's
/// host/path mode), so tests running side by side, in one process or in many (nextest runs
/// each test in a process of its own), each get a complete certification. `A.B` comes from
/// the process id, the clock and a counter: 46,000 addresses make a clash between the few
/// tests in flight unlikely, and a clash shows as unproved host/path clauses, never a pass.
pub fn own_loopback() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    // SplitMix64 of the three: neighbouring pids and counters land far apart.
    let mut z = (u64::from(std::process::id()) << 32 ^ u64::from(nanos))
        .wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!("127.{}.{}.1:0", 20 + z % 230, 1 + (z >> 8) % 250)
}

/// Runs `atspec certify ARGS --json FILE` and returns the run and the parsed report. Unless
/// ARGS name a `--mock-bind`, the mock peer binds [`own_loopback`].
/// The checks that wait on purpose are skipped (`--skip-timing`) unless ARGS select clauses:
/// only the tests of timing pay those waits ([`certify_timed`]).
pub fn certify(tag: &str, args: &[&str]) -> (Run, serde_json::Value) {
    if args.contains(&"--clause") || args.contains(&"--check") {
        certify_timed(tag, args)
    } else {
        certify_timed(tag, &[args, &["--skip-timing"]].concat())
    }
}

/// [`certify`] with every check, the timing ones included.
pub fn certify_timed(tag: &str, args: &[&str]) -> (Run, serde_json::Value) {
    let dir = tempdir(tag);
    let json = dir.join("report.json");
    let failures = dir.join("failures");
    let bind = own_loopback();
    let mut all = vec![
        "certify",
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--failures",
        failures.to_str().unwrap(),
    ];
    if !args.contains(&"--mock-bind") {
        all.extend(["--mock-bind", bind.as_str()]);
    }
    all.extend_from_slice(args);
    let run = atspec(&all);
    let report = std::fs::read_to_string(&json)
        .map(|t| serde_json::from_str(&t).expect("report is JSON"))
        .unwrap_or(serde_json::Value::Null);
    (run, report)
}

/// Every clause's verdict, by id.
pub fn clause_verdicts(report: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    report["clauses"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["id"].as_str().unwrap().to_string(),
                        c["verdict"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts that a run failed nothing and is INCOMPLETE (exit 3) for exactly these unproved
/// clauses (`None`: a partial run, whose list is every clause not selected) and these run-level
/// gaps (each given by its start). A run that skipped the timing checks ([`certify`]) must
/// also state that gap and leave [`TIMING_CLAUSES`] unproved, and no more.
pub fn assert_incomplete(
    run: &Run,
    report: &serde_json::Value,
    unproved: Option<&[&str]>,
    gaps: &[&str],
) {
    // A whole run without fuzzing (`--cases 0`) is no certificate: its own gap, after the
    // other scope gaps, unless the caller names it.
    let mut gaps: Vec<&str> = gaps.to_vec();
    let scope = &report["scope"];
    let whole = scope["clauses"].as_array().is_none_or(|c| c.is_empty())
        && scope["checks"].as_array().is_none_or(|c| c.is_empty());
    if whole && scope["cases"] == 0 && !gaps.iter().any(|g| g.starts_with("no fuzzing")) {
        let scope_gap = |g: &&str| {
            [
                "partial run",
                "timing checks",
                "shard",
                "fuzzing ran",
                "interrupted",
            ]
            .iter()
            .any(|p| g.starts_with(p))
        };
        let at = gaps.iter().rposition(scope_gap).map_or(0, |i| i + 1);
        gaps.insert(at, "no fuzzing");
    }
    let gaps = &gaps[..];
    if report["scope"]["skip_timing"] == true {
        let mut all: Vec<&str> = unproved.map(<[&str]>::to_vec).unwrap_or_default();
        for c in TIMING_CLAUSES {
            if !all.contains(c) {
                all.push(c);
            }
        }
        let mut with: Vec<&str> = vec!["timing checks skipped"];
        with.extend(
            gaps.iter()
                .filter(|g| !g.starts_with("timing checks skipped")),
        );
        // The scope's gaps: a partial run first, then the timing skip, then missing shards.
        if with.len() > 1 && with[1].starts_with("partial run") {
            with.swap(0, 1);
        }
        return assert_incomplete_exactly(run, report, unproved.map(|_| &all[..]), &with);
    }
    assert_incomplete_exactly(run, report, unproved, gaps)
}

fn assert_incomplete_exactly(
    run: &Run,
    report: &serde_json::Value,
    unproved: Option<&[&str]>,
    gaps: &[&str],
) {
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "incomplete", "{}", run.stdout);
    assert_eq!(report["complete"], false);
    assert_eq!(report["conformant"], false);
    assert!(clauses_with(report, "fail").is_empty(), "{}", run.stdout);
    assert!(clauses_with(report, "hung").is_empty(), "{}", run.stdout);
    let mut got: Vec<String> = report["unproved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["clause"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    if let Some(unproved) = unproved {
        let mut want: Vec<String> = unproved.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{}", run.stdout);
    }
    let got_gaps: Vec<&str> = report["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(got_gaps.len(), gaps.len(), "{got_gaps:?}");
    for (g, want) in got_gaps.iter().zip(gaps) {
        assert!(g.starts_with(want), "{g} does not start with {want}");
    }
    assert!(run.stdout.contains("INCOMPLETE under"), "{}", run.stdout);
}

/// Asserts a CONFORMANT run: exit 0, complete evidence, no unproved clause and no gap.
pub fn assert_conformant(run: &Run, report: &serde_json::Value) {
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "conformant", "{}", run.stdout);
    assert_eq!(report["complete"], true);
    assert_eq!(report["conformant"], true);
    assert_eq!(report["unproved"], serde_json::json!([]), "{}", run.stdout);
    assert_eq!(report["gaps"], serde_json::json!([]), "{}", run.stdout);
}

/// The clauses only the timing checks prove, which `--skip-timing` leaves unproved
/// (HTTP.TIMEOUT.ZERO_IS_DEFAULT has a check without waits too; HTTPCSEND.PROMPT is proved
/// by the data phase with a silence in it).
pub const TIMING_CLAUSES: &[&str] = &[
    "HTTP.TIMEOUT.NETWORK",
    "HTTPCSEND.DATA.NO_TIMEOUT",
    "HTTPCSEND.PROMPT",
];

/// Asserts a run that is CONFORMANT but for the timing checks it skipped: exit 3, nothing
/// failed, the timing clauses alone unproved, and the skip the only gap.
pub fn assert_conformant_but_timing(run: &Run, report: &serde_json::Value) {
    assert_eq!(report["scope"]["skip_timing"], true, "{}", run.stdout);
    assert_incomplete(run, report, Some(&[]), &[]);
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

/// Child processes killed when dropped (boards, ser2net).
pub struct Procs(pub Vec<std::process::Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `atspec board --pty`; returns the pty path.
pub fn board_pty(procs: &mut Procs) -> String {
    board_pty_with(procs, &[])
}

/// Starts `atspec board --pty ARGS` (a device "written elsewhere", reached only through its
/// pty); returns the pty path.
pub fn board_pty_with(procs: &mut Procs, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atspec"));
    cmd.args(["board", "--pty"])
        .args(args)
        .stderr(std::process::Stdio::null());
    let (child, path) = atspec_board::announce::spawn_pty_board(cmd).unwrap();
    procs.0.push(child);
    path
}

/// Starts `atspec board --tcp` on a port the board picks itself (port 0: no race with other
/// tests for a port) and waits until it listens; returns the address it announced.
pub fn board_tcp(procs: &mut Procs) -> String {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(["board", "--tcp", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    procs.0.push(child);
    let addr = loop {
        let line = log
            .next()
            .expect("the board exited before listening")
            .unwrap();
        if let Some((_, rest)) = line.split_once("listening on ") {
            // The log line may end in color codes: the address is its first word.
            let addr: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ':'))
                .collect();
            break addr;
        }
    };
    // Keep draining the log so the board never blocks on a full pipe.
    std::thread::spawn(move || log.for_each(drop));
    addr
}

/// A loopback address of this test's own, `127.X.Y.Z` (X.Y from the process id, which
/// nextest makes one per test; Z counts the calls). Nothing else binds it, so a port found
/// free on it ([`free_port_on`]) is still free when a tool the test starts binds it (a port
/// asked of 127.0.0.1 and released could be taken by any test in between). For tools that must
/// be told their port up front (ser2net, a LabGrid coordinator, a fixed mock bind).
pub fn private_loopback() -> String {
    use std::sync::atomic::{AtomicU8, Ordering};
    static NEXT: AtomicU8 = AtomicU8::new(0);
    let pid = std::process::id();
    std::net::Ipv4Addr::new(
        127,
        1 + ((pid >> 8) % 254) as u8,
        (pid & 0xff) as u8,
        2 + NEXT.fetch_add(1, Ordering::Relaxed) % 250,
    )
    .to_string()
}

/// A port free on `ip` (one of [`private_loopback`]'s) at the moment of asking.
pub fn free_port_on(ip: &str) -> u16 {
    std::net::TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Words as a POSIX shell splits a CI recipe's line: whitespace outside double quotes, the
/// quotes removed (`""` is an empty word).
pub fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}
