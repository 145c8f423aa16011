//! Hostile devices and hostile neighbours: each test reproduces an attack on the harness and
//! fails without its fix. The hostile device is the real board behind a small TCP peer of
//! this file's that misbehaves on purpose (floods, trickles its echo a byte at a time); the
//! hostile neighbour is a second client of the mock ports.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Procs, board_tcp, certify, tempdir};

/// How the peer between the harness and the board misbehaves.
#[derive(Clone, Copy)]
enum Mode {
    /// The harness's write that holds `trigger` is answered with `bytes` bytes without a line
    /// end instead of reaching the board; then it goes on as the board.
    Flood {
        trigger: &'static [u8],
        bytes: usize,
    },
    /// Every byte from the device arrives on its own (an echo split across reads).
    Trickle,
    /// The harness's write that holds `trigger` kills the device: the connection closes and
    /// every later one is closed at once (a board that lost power).
    Die { trigger: &'static [u8] },
    /// The `nth` (from 1) harness write that starts with `trigger` is answered with an
    /// unprompted `ready` first (a device that rebooted on its own just then).
    Ready { trigger: &'static [u8], nth: usize },
}

/// A TCP peer in front of the board at `board`; returns the address the harness connects to.
fn hostile(board: String, mode: Mode) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let dead = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for harness in l.incoming().flatten() {
            if dead.load(Ordering::SeqCst) {
                continue;
            }
            let Ok(device) = TcpStream::connect(&board) else {
                return;
            };
            let died = dead.clone();
            let _ = harness.set_nodelay(true);
            let triggered = Arc::new(AtomicBool::new(false));
            let (mut h_in, mut d_out) = (harness.try_clone().unwrap(), device.try_clone().unwrap());
            let mut to_harness = harness.try_clone().unwrap();
            let mut writes = 0;
            let seen = triggered.clone();
            // Harness → device, watching for the trigger.
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut tail: Vec<u8> = Vec::new();
                while let Ok(n) = h_in.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    // (`base.at` writes its lower-case line on its own.)
                    if let Mode::Die { trigger } = mode
                        && buf[..n].starts_with(trigger)
                    {
                        died.store(true, Ordering::SeqCst);
                        let _ = h_in.shutdown(std::net::Shutdown::Both);
                        let _ = d_out.shutdown(std::net::Shutdown::Both);
                        break;
                    }
                    if let Mode::Ready { trigger, nth } = mode
                        && buf[..n].starts_with(trigger)
                    {
                        writes += 1;
                        if writes == nth {
                            let _ = to_harness.write_all(b"\r\nready\r\n");
                        }
                    }
                    if let Mode::Flood { trigger, .. } = mode {
                        tail.extend_from_slice(&buf[..n]);
                        if tail.windows(trigger.len()).any(|w| w == trigger) {
                            // The flood is the whole answer: the board never sees the line.
                            seen.store(true, Ordering::SeqCst);
                            tail.clear();
                            continue;
                        }
                        let keep = tail.len().saturating_sub(trigger.len());
                        tail.drain(..keep);
                    }
                    if d_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
            // Device → harness, misbehaving.
            let (mut d_in, mut h_out) = (device, harness);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    if let Mode::Flood { bytes, .. } = mode
                        && triggered.swap(false, Ordering::SeqCst)
                    {
                        let chunk = vec![b'A'; 64 * 1024];
                        let mut left = bytes;
                        while left > 0 {
                            let n = left.min(chunk.len());
                            if h_out.write_all(&chunk[..n]).is_err() {
                                return;
                            }
                            left -= n;
                        }
                    }
                    let _ = d_in.set_read_timeout(Some(std::time::Duration::from_millis(20)));
                    match d_in.read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => {
                            let ok = match mode {
                                Mode::Trickle => buf[..n].iter().all(|b| {
                                    std::thread::sleep(std::time::Duration::from_micros(300));
                                    h_out.write_all(std::slice::from_ref(b)).is_ok()
                                }),
                                Mode::Flood { .. } | Mode::Die { .. } | Mode::Ready { .. } => {
                                    h_out.write_all(&buf[..n]).is_ok()
                                }
                            };
                            if !ok {
                                return;
                            }
                        }
                        Err(e)
                            if matches!(
                                e.kind(),
                                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                            ) => {}
                        Err(_) => return,
                    }
                }
            });
        }
    });
    addr
}

/// A device that answers one line with 8 MiB and no line end: the step fails at once as a
/// flood (not a hang, not gigabytes of memory, log or report), recovery brings the device
/// back, and the other check passes.
#[test]
fn a_flooding_device_fails_its_step_with_bounded_evidence() {
    let mut procs = Procs(Vec::new());
    let board = board_tcp(&mut procs);
    let device = format!(
        "tcp:{}",
        hostile(
            board,
            Mode::Flood {
                // `base.at`'s lower-case line: no known state or other check sends it.
                trigger: b"\nat\r\n",
                bytes: 8 << 20,
            },
        )
    );
    let dir = tempdir("flood");
    let html = dir.join("r.html");
    let (run, report) = certify(
        "flood",
        &[
            "--device",
            &device,
            "--clause",
            "HTTPCHEAD.QUERY",
            "--clause",
            "BASE.AT.OK",
            "--timeout",
            "5",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    drop(procs);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failed: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"]["verdict"] == "fail")
        .collect();
    assert!(!failed.is_empty(), "{}", run.stdout);
    let why = failed[0]["verdict"]["why"].as_str().unwrap();
    assert!(why.starts_with("device flooded "), "{why}");
    assert!(
        common::clauses_with(&report, "hung").is_empty(),
        "{}",
        run.stdout
    );
    assert!(common::clauses_with(&report, "fail").contains(&"BASE.AT.OK".to_string()));
    assert!(common::clauses_with(&report, "pass").contains(&"HTTPCHEAD.QUERY".to_string()));
    // The evidence is bounded: the report and the UART log hold a budget's worth, not 8 MiB
    // copied around.
    let log = report["device"]["uart_log"].as_str().unwrap();
    let log_size = std::fs::metadata(log).unwrap().len();
    assert!(log_size < 24 << 20, "UART log {log_size} bytes");
    let html_size = std::fs::metadata(&html).unwrap().len();
    assert!(html_size < 4 << 20, "HTML {html_size} bytes");
}

/// The Wi-Fi password a setup script expands is in no byte the harness writes: not in the
/// UART log (neither the line sent nor the device's echo of it, even arriving a byte at a
/// time), not in JSON, JUnit, HTML or the terminal. The log is created 0600.
#[test]
fn a_setup_secret_is_in_no_output() {
    use std::os::unix::fs::PermissionsExt;
    const PASSWORD: &str = "hunter2-correct-horse";
    let mut procs = Procs(Vec::new());
    let board = board_tcp(&mut procs);
    let device = format!("tcp:{}", hostile(board, Mode::Trickle));
    let dir = tempdir("secret");
    let setup = dir.join("setup.yaml");
    // The board knows no AT+CWJAP: it echoes the line and answers ERROR, which this step
    // expects, so the run goes on with the secret echoed back at bring-up.
    std::fs::write(
        &setup,
        "steps:\n  - send: AT+CWJAP=\"lab\",\"${ATSPEC_TEST_WIFI_PASSWORD}\"\n    expect: ERROR\n",
    )
    .unwrap();
    let (json, junit, html) = (dir.join("r.json"), dir.join("r.xml"), dir.join("r.html"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(["certify", "--quiet", "--device", &device, "--setup"])
        .arg(&setup)
        .args(["--clause", "BASE.AT.OK", "--json"])
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .arg("--html")
        .arg(&html)
        .args(["--mock-bind", &common::own_loopback()])
        .env("ATSPEC_TEST_WIFI_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    drop(procs);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    let log = dir.join("r.device-1.uart.log");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("${ATSPEC_TEST_WIFI_PASSWORD}"),
        "the masked line is there: {text}"
    );
    // Not whole, and not in pieces either: no 6-byte run of it anywhere.
    for f in [&log, &json, &junit, &html] {
        let body = std::fs::read_to_string(f).unwrap();
        assert!(!body.contains(PASSWORD), "{} holds the secret", f.display());
    }
    assert!(
        PASSWORD
            .as_bytes()
            .windows(6)
            .all(|w| !text.contains(std::str::from_utf8(w).unwrap())),
        "a piece of the secret is in the UART log:\n{text}"
    );
    let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// A setup step the device refuses fails at once with the exchange, and the secret is not in
/// the error either.
#[test]
fn a_refused_setup_step_fails_at_once_without_its_secret() {
    const PASSWORD: &str = "s3cret-pass-phrase";
    let dir = tempdir("secret-refused");
    let setup = dir.join("setup.yaml");
    std::fs::write(
        &setup,
        "steps:\n  - send: AT+CWJAP=\"lab\",\"${ATSPEC_TEST_WIFI_PASSWORD}\"\n    timeout: 60\n",
    )
    .unwrap();
    let json = dir.join("r.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(["certify", "--quiet", "--cases", "0", "--setup"])
        .arg(&setup)
        .arg("--json")
        .arg(&json)
        .env("ATSPEC_TEST_WIFI_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Refused at its ERROR, not after the step's 60 s (the test would time out otherwise).
    assert!(stderr.contains("was refused"), "{stderr}");
    assert!(stderr.contains("${ATSPEC_TEST_WIFI_PASSWORD}"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    let log = dir.join("r.device-1.uart.log");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(!std::fs::read_to_string(&json).unwrap().contains(PASSWORD));
}

/// Whether any process's command line holds `needle` (the board child names its PKI folder).
fn a_process_names(needle: &str) -> bool {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .any(|c| String::from_utf8_lossy(&c).contains(needle))
}

/// SIGTERM (a CI job's timeout) and SIGINT (Ctrl-C) stop a run with every requested report
/// written, verdict INCOMPLETE (interrupted); the board child and the temporary PKI folder
/// are gone afterwards.
#[test]
fn a_signal_stops_the_run_with_its_reports_written() {
    for signal in ["TERM", "INT"] {
        let dir = tempdir(&format!("sig{signal}"));
        let (json, junit, html) = (dir.join("r.json"), dir.join("r.xml"), dir.join("r.html"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_atspec"))
            .args(["certify", "--quiet", "--cases", "200", "--json"])
            .arg(&json)
            .arg("--junit")
            .arg(&junit)
            .arg("--html")
            .arg(&html)
            .args(["--mock-bind", &common::own_loopback()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pki = format!("atspec-pki-{}-", child.id());
        // Wait until the run is under way: the board is up and checks are being sent.
        let log = dir.join("r.device-1.uart.log");
        let mut waited = 0;
        while std::fs::metadata(&log).map_or(0, |m| m.len()) < 4096 && waited < 600 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            waited += 1;
        }
        assert!(a_process_names(&pki), "the board should be running");
        let kill = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(3), "SIG{signal}");
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(report["verdict"], "incomplete");
        assert_eq!(report["interrupted"], format!("SIG{signal}"));
        assert!(
            report["gaps"][0]
                .as_str()
                .unwrap()
                .starts_with(&format!("interrupted by SIG{signal}")),
            "{}",
            report["gaps"]
        );
        assert!(common::clauses_with(&report, "fail").is_empty());
        assert!(common::clauses_with(&report, "hung").is_empty());
        assert!(
            std::fs::read_to_string(&junit)
                .unwrap()
                .contains("<error type=\"incomplete\"")
        );
        assert!(
            std::fs::read_to_string(&html)
                .unwrap()
                .contains("INCOMPLETE")
        );
        // Nothing left behind.
        assert!(!a_process_names(&pki), "the board child outlived the run");
        let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&pki))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

/// A device that dies mid-run (its link closes and stays closed): the harness neither spins
/// nor floods its log with the same read error; it finishes, NOT CONFORMANT, with the lost
/// link named and the repeats counted.
#[test]
fn a_dead_device_ends_the_run_without_a_spin() {
    let mut procs = Procs(Vec::new());
    let board = board_tcp(&mut procs);
    let device = format!("tcp:{}", hostile(board, Mode::Die { trigger: b"at\r\n" }));
    let (run, report) = certify(
        "dead",
        &[
            "--device",
            &device,
            "--clause",
            "BASE.AT.OK",
            "--clause",
            "HTTPCHEAD.QUERY",
            "--timeout",
            "2",
            "--reset",
            "none",
        ],
    );
    drop(procs);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    // One recovery after the link failed; then every later check is hung at once, saying
    // why, without trying again.
    let checks = report["checks"].as_array().unwrap();
    let later = checks
        .iter()
        .find(|c| c["name"] == "httpchead.verbatim_and_query")
        .expect("httpchead.verbatim_and_query ran");
    assert_eq!(later["verdict"]["verdict"], "hung", "{later}");
    let why = later["verdict"]["why"].as_str().unwrap();
    assert!(why.starts_with("the link is lost ("), "{why}");
    assert!(
        later["recovery"].as_array().is_none_or(|r| r.is_empty()),
        "no second recovery: {later}"
    );
    let log = report["device"]["uart_log"].as_str().unwrap();
    let text = std::fs::read_to_string(log).unwrap();
    let errors = text
        .lines()
        .filter(|l| l.contains(" # read failed"))
        .count();
    assert!(errors < 10, "{errors} read-failure lines:\n{text}");
    assert!(text.len() < 1 << 20, "UART log {} bytes", text.len());
}

/// Another process on the machine talks to the mock ports while a certification runs: plain
/// requests for plausible paths, and a POST announcing 100 GB and streaming it. None of it is
/// blamed on the device (its URLs lie under the run's random path prefix), none of it is
/// buffered, and the report counts and lists it with the address it came from. Without the
/// prefix, the injected requests failed the request checks ("the peer saw …").
#[test]
fn a_neighbours_requests_are_foreign_traffic_never_the_devices() {
    use std::time::Duration;
    let ip = common::own_loopback().trim_end_matches(":0").to_string();
    // A port pair on this test's own loopback address (wiremock's front, then the raw server).
    let port = {
        let l = TcpListener::bind((ip.as_str(), 0)).unwrap();
        l.local_addr().unwrap().port()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let mut neighbours = Vec::new();
    for (offset, flood) in [(0u16, false), (1, false), (0, true), (1, true)] {
        let (stop, ip) = (stop.clone(), ip.clone());
        neighbours.push(std::thread::spawn(move || {
            let mut sent = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let Ok(mut c) = TcpStream::connect((ip.as_str(), port + offset)) else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                if flood {
                    let _ = c.write_all(
                        b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000000\r\n\r\n",
                    );
                    let chunk = vec![b'z'; 1 << 20];
                    for _ in 0..64 {
                        if c.write_all(&chunk).is_err() {
                            break;
                        }
                    }
                } else {
                    let _ = c
                        .write_all(b"GET /injected-by-another-process HTTP/1.1\r\nHost: h\r\n\r\n");
                    let mut sink = Vec::new();
                    let _ = c.read_to_end(&mut sink);
                }
                sent += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            sent
        }));
    }
    let bind = format!("{ip}:{port}");
    let (run, report) = certify(
        "neighbour",
        &[
            "--mock-bind",
            &bind,
            "--clause",
            "HTTP.REQUEST.LINE",
            "--clause",
            "HTTPCLIENT.OPT.METHOD",
        ],
    );
    stop.store(true, Ordering::SeqCst);
    let sent: u32 = neighbours.into_iter().map(|n| n.join().unwrap()).sum();
    assert!(sent > 0, "the neighbours never reached the peer");
    // Only partial (two clauses), but nothing failed: the device is not blamed.
    common::assert_incomplete(&run, &report, None, &["partial run"]);
    let traffic = &report["traffic"];
    assert!(traffic["foreign"].as_u64().unwrap() > 0, "{traffic}");
    let listed = traffic["foreign_listed"].as_array().unwrap();
    assert!(
        listed.iter().any(|l| l["request"]
            .as_str()
            .unwrap()
            .starts_with("GET /injected-by-another-process from 127.")),
        "{traffic}"
    );
    assert!(!traffic["sources"].as_object().unwrap().is_empty());
    assert!(
        run.stdout.contains("foreign request"),
        "the terminal says so: {}",
        run.stdout
    );
}

/// A device that reboots on its own: during a step (its answer holds an unprompted `ready`),
/// and between two checks (the next known state begins with one). Each fails the check it
/// hit, saying the device restarted; before, the reboots were absorbed silently or failed as
/// mere output differences.
#[test]
fn a_device_that_restarts_on_its_own_is_named_as_such() {
    let cases = [
        // `base.at` writes its lower-case line on its own.
        (
            Mode::Ready {
                trigger: b"at\r\n",
                nth: 1,
            },
            "base.at",
            "the device restarted during `at\\r\\n`",
        ),
        // Known states: bring-up's, then one per check (`base.at` first).
        (
            Mode::Ready {
                trigger: b"\r\nATE1\r\n",
                nth: 3,
            },
            "httpchead.verbatim_and_query",
            "the device restarted between cases",
        ),
    ];
    for (mode, check, says) in cases {
        let mut procs = Procs(Vec::new());
        let board = board_tcp(&mut procs);
        let device = format!("tcp:{}", hostile(board, mode));
        let (run, report) = certify(
            "restart",
            &[
                "--device",
                &device,
                "--clause",
                "BASE.AT.OK",
                "--clause",
                "HTTPCHEAD.QUERY",
                "--cases",
                "0",
            ],
        );
        drop(procs);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let checks = report["checks"].as_array().unwrap();
        let failed: Vec<&serde_json::Value> = checks
            .iter()
            .filter(|c| c["verdict"]["verdict"] != "pass")
            .collect();
        assert_eq!(failed.len(), 1, "{}", run.stdout);
        assert_eq!(failed[0]["name"], check, "{}", run.stdout);
        let why = failed[0]["verdict"]["why"].as_str().unwrap();
        assert!(why.starts_with(says), "{why}");
    }
}
