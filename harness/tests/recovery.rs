//! Getting a device back (`--reset`, `--setup`): a board stuck in a 2 GiB data prompt (it
//! swallows AT+RST) comes back through its reset line and later checks pass; without a reset
//! they hang. Bring-up scripts run after bring-up and after every reset, expand `${NAME}` from
//! the environment without showing the value, and a failing step is a setup error.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Procs, atspec, board_pty_with, certify, clauses_with, tempdir};

const CLAUSES: [&str; 3] = ["HTTPCHEAD.LENGTH.RANGE", "HTTPCHEAD.QUERY", "BASE.AT.OK"];

/// A board that prompts for any AT+HTTPCHEAD length; returns its pty and pid.
fn stuck_board(procs: &mut Procs) -> (String, u32) {
    let pty = board_pty_with(procs, &["--mutant", "chead-any-length"]);
    let pid = procs.0.last().map(|c| c.id()).unwrap();
    (pty, pid)
}

fn args<'a>(device: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "--device",
        device,
        "--no-well-known-ports",
        "--timeout",
        "3",
    ];
    for c in CLAUSES {
        v.extend(["--clause", c]);
    }
    v.extend_from_slice(extra);
    v
}

fn recovery_of(report: &serde_json::Value, check: &str) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == check)
        .and_then(|c| c["transcript"]["recovery"].as_array())
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(" → ")
        })
        .unwrap_or_default()
}

#[test]
fn a_hardware_reset_brings_back_a_device_that_swallows_at_rst() {
    let mut procs = Procs(Vec::new());
    let (pty, pid) = stuck_board(&mut procs);
    let device = format!("serial:{pty}");
    let reset = format!("cmd:kill -USR1 {pid}");
    let (run, report) = certify("reset-cmd", &args(&device, &["--reset", &reset]));
    // The mutant fails the clause it breaks, and nothing after it hangs.
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(clauses_with(&report, "fail").contains(&"HTTPCHEAD.LENGTH.RANGE".to_string()));
    assert!(clauses_with(&report, "hung").is_empty(), "{}", run.stdout);
    assert!(clauses_with(&report, "pass").contains(&"HTTPCHEAD.QUERY".to_string()));
    let log = recovery_of(&report, "httpchead.length_range");
    assert!(
        log.contains("AT+RST → hardware reset (cmd:kill -USR1"),
        "{log}\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("recovery: drain → AT+RST → hardware reset"),
        "{}",
        run.stdout
    );
    assert_eq!(report["device"]["reset"], reset.as_str());
}

#[test]
fn without_a_reset_the_stuck_device_hangs_later_checks() {
    let mut procs = Procs(Vec::new());
    let (pty, _) = stuck_board(&mut procs);
    let device = format!("serial:{pty}");
    let (run, report) = certify("reset-none", &args(&device, &[]));
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(!clauses_with(&report, "hung").is_empty(), "{}", run.stdout);
    // Escalation went as far as it could: AT+RST, then reopening the link.
    let log = recovery_of(&report, "httpchead.length_range");
    assert!(log.contains("AT+RST") && log.contains("reopen"), "{log}");
}

#[test]
fn dtr_rts_on_a_pty_is_reported_as_not_supported() {
    let mut procs = Procs(Vec::new());
    let (pty, _) = stuck_board(&mut procs);
    let device = format!("serial:{pty}");
    let (run, report) = certify("reset-dtr", &args(&device, &["--reset", "dtr-rts"]));
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let log = recovery_of(&report, "httpchead.length_range");
    assert!(log.contains("hardware reset failed: dtr-rts"), "{log}");
    assert!(log.contains("not supported"), "{log}");
}

/// An HTTP server that counts the requests it answers.
fn counting_server() -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let n = Arc::new(AtomicUsize::new(0));
    let count = n.clone();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = [0u8; 4096];
            let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(500)));
            let _ = s.read(&mut buf);
            count.fetch_add(1, Ordering::SeqCst);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nup");
        }
    });
    (port, n)
}

#[test]
fn the_setup_script_runs_after_bring_up_and_after_every_reset() {
    let (port, count) = counting_server();
    let dir = tempdir("setup");
    let f = dir.join("setup.yaml");
    std::fs::write(
        &f,
        "steps:\n  - send: AT\n  - send: AT+HTTPCGET=\"http://127.0.0.1:${ATSPEC_SETUP_PORT}/join\"\n    expect: \"\\\\+HTTPCGET:2,up\"\n    timeout: 5\n",
    )
    .unwrap();
    let mut procs = Procs(Vec::new());
    let (pty, pid) = stuck_board(&mut procs);
    let device = format!("serial:{pty}");
    let reset = format!("cmd:kill -USR1 {pid}");
    let json = dir.join("r.json");
    let mut all = vec!["certify", "--quiet", "--json", json.to_str().unwrap()];
    all.extend(args(
        &device,
        &["--reset", &reset, "--setup", f.to_str().unwrap()],
    ));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(&all)
        .env("ATSPEC_SETUP_PORT", port.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    // Once at bring-up, and again after the hardware reset of the stuck check(s).
    let n = count.load(Ordering::SeqCst);
    assert!(n >= 2, "the setup script ran {n} times");
    // The report shows the step as written, not the expanded value.
    let report = std::fs::read_to_string(&json).unwrap();
    assert!(report.contains("${ATSPEC_SETUP_PORT}"), "{report}");
    assert!(
        !report.contains(&format!("127.0.0.1:{port}/join")),
        "{report}"
    );
}

#[test]
fn a_failing_setup_step_is_a_setup_error_with_the_exchange() {
    let dir = tempdir("setup-bad");
    let f = dir.join("setup.yaml");
    std::fs::write(&f, "steps:\n  - send: AT+NOPE\n    timeout: 1\n").unwrap();
    let r = atspec(&[
        "certify",
        "--setup",
        f.to_str().unwrap(),
        "--cases",
        "0",
        "--no-well-known-ports",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("setup step `AT+NOPE` was refused (the answer ended in a final result that does not match /OK/)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("ERROR"), "{}", r.stderr);
    // A variable that is not set is an error at its line.
    std::fs::write(&f, "steps:\n  - send: AT+X=${ATSPEC_NOT_SET_ANYWHERE}\n").unwrap();
    let r = atspec(&["certify", "--setup", f.to_str().unwrap(), "--cases", "0"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains(":2:5: error: environment variable ATSPEC_NOT_SET_ANYWHERE is not set"),
        "{}",
        r.stderr
    );
}

/// The serial link's reopen (a recovery step) gives up the old handle's exclusive lock before
/// it opens the port again: on a real pty, the reopened link talks to the device.
#[test]
fn a_serial_link_reopens_on_a_pty() {
    use atspec::link::Link;
    let mut procs = Procs(Vec::new());
    let pty = common::board_pty(&mut procs);
    let mut link = atspec::link::serial::SerialLink::open(&pty, 115_200).unwrap();
    link.reopen()
        .expect("reopen must not trip over its own lock");
    link.write_all(b"AT\r\n").unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    for _ in 0..100 {
        let n = link
            .read(&mut buf, std::time::Duration::from_millis(50))
            .unwrap();
        got.extend_from_slice(&buf[..n]);
        if got.ends_with(b"OK\r\n") {
            break;
        }
    }
    assert!(
        got.ends_with(b"\r\nOK\r\n"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
}

/// The board's reset line (SIGUSR1, what pulling EN low does to a module) keeps what the
/// module is: a board emulating ESP-AT 2.2 still says 2.2, and still lacks AT+HTTPCGET, after
/// a hardware reset (it used to come back as the current firmware).
#[test]
fn a_hardware_reset_keeps_the_emulated_version() {
    use atspec::link::Link;
    let mut procs = Procs(Vec::new());
    let pty = board_pty_with(&mut procs, &["--esp-at-version", "2.2"]);
    let pid = procs.0.last().map(|c| c.id()).unwrap();
    let mut link = atspec::link::serial::SerialLink::open(&pty, 115_200).unwrap();
    let mut ask = |line: &[u8], until: &[u8]| {
        link.write_all(line).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        for _ in 0..100 {
            let n = link
                .read(&mut buf, std::time::Duration::from_millis(50))
                .unwrap();
            got.extend_from_slice(&buf[..n]);
            if got.windows(until.len()).any(|w| w == until) {
                break;
            }
        }
        String::from_utf8_lossy(&got).into_owned()
    };
    assert!(ask(b"AT+GMR\r\n", b"OK\r\n").contains("AT version:2.2.0.0"));
    let kill = std::process::Command::new("kill")
        .args(["-USR1", &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    // The restarted module says `ready`; then it is still v2.2.
    let boot = ask(b"", b"ready\r\n");
    assert!(boot.contains("ready"), "{boot:?}");
    let gmr = ask(b"AT+GMR\r\n", b"OK\r\n");
    assert!(gmr.contains("AT version:2.2.0.0"), "{gmr:?}");
    let cget = ask(b"AT+HTTPCGET=\"http://127.0.0.1:9/\"\r\n", b"ERROR\r\n");
    assert!(cget.ends_with("\r\nERROR\r\n"), "{cget:?}");
}
