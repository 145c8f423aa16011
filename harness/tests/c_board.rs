//! The whole loop for a C vendor: spec → `atspec gen c` → a C firmware written against the
//! generated header (firmware/c-board) → a certificate. The board is built with make and gcc
//! from the committed generated code, runs on a pty, and is certified over that serial link
//! on the scope its commands cover (`firmware/c-board/atspec.toml`). Its certificate must be
//! honest: INCOMPLETE (a partial run) for class http, never CONFORMANT, with every selected
//! clause proved. The board runs under AddressSanitizer and UndefinedBehaviorSanitizer, so the
//! hostile-input checks of the run (random bytes, overlong lines, a huge header block) also
//! show it memory-safe. A build with a deliberate bug must fail the same run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Procs, Run, certify, clauses_with};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds the board with `make` (and gcc); `None` when they are missing outside CI.
fn build(tag: &str, cflags: &str) -> Option<PathBuf> {
    let dir = common::tempdir(tag);
    let out = match Command::new("make")
        .arg("-C")
        .arg(root().join("firmware/c-board"))
        .arg(format!("BUILD={}", dir.display()))
        .arg("CC=gcc")
        .arg(format!("CFLAGS={cflags}"))
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "make is not installed: {e}"
            );
            eprintln!("skipped: make is not installed");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "the C board did not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(dir.join("c-board"))
}

/// The sanitizers, reporting on stderr and stopping at the first report.
const SANITIZE: &str =
    "-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer";

fn run_board(exe: &Path, procs: &mut Procs, stderr: &Path) -> String {
    let mut cmd = Command::new(exe);
    cmd.stderr(std::fs::File::create(stderr).unwrap())
        .env("ASAN_OPTIONS", "detect_leaks=0");
    let (child, path) = atspec_board::announce::spawn_pty_board(cmd).unwrap();
    procs.0.push(child);
    path
}

/// Certifies a running board; also returns what the board printed on stderr.
fn certify_board(tag: &str, exe: &Path) -> (Run, serde_json::Value, String) {
    let mut procs = Procs(Vec::new());
    let stderr = common::tempdir(tag).join("board.stderr");
    let pty = run_board(exe, &mut procs, &stderr);
    let config = root().join("firmware/c-board/atspec.toml");
    let profile = root().join("fixtures/profiles/c-board.yaml");
    let (run, report) = certify(
        tag,
        &[
            "--config",
            config.to_str().unwrap(),
            "--device-profile",
            profile.to_str().unwrap(),
            "--device",
            &format!("serial:{pty}"),
        ],
    );
    drop(procs);
    (
        run,
        report,
        std::fs::read_to_string(&stderr).unwrap_or_default(),
    )
}

#[test]
fn the_c_board_certifies_incomplete_for_class_http_with_every_selected_clause_proved() {
    let Some(exe) = build("c-board", SANITIZE) else {
        return;
    };
    let (run, report, board_stderr) = certify_board("c-board", &exe);
    assert!(
        !board_stderr.contains("Sanitizer") && !board_stderr.contains("runtime error"),
        "the sanitizers reported on the C board:\n{board_stderr}"
    );
    assert_eq!(
        run.code, 3,
        "INCOMPLETE exits 3:\n{}\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(report["verdict"], "incomplete", "{}", run.stdout);
    assert_eq!(report["conformant"], false);
    assert_eq!(report["class"], "http", "no TLS: class http");
    assert!(clauses_with(&report, "fail").is_empty(), "{}", run.stdout);
    assert!(clauses_with(&report, "hung").is_empty(), "{}", run.stdout);
    // The scope: the base, configuration and AT+HTTPCLIENT clauses, proved on the C board.
    let pass = clauses_with(&report, "pass");
    for id in [
        "FRAMING.LINE.MAX_LENGTH",
        "ECHO.SWITCH",
        "SYSLOG.SET",
        "HTTPURLCFG.PROMPT",
        "HTTPCHEAD.APPLY_ORDER",
        "HTTPCFG.MODE.RANGE",
        "HTTPCLIENT.BODY.LINES",
        "HTTPCLIENT.HEAD.HEADER_LINES",
        "HTTPCLIENT.URL.PRECEDENCE",
    ] {
        assert!(
            pass.iter().any(|p| p == id),
            "{id} not proved: {}",
            run.stdout
        );
    }
    assert!(pass.len() >= 80, "{} clauses proved", pass.len());
    // And the certificate says what it left out.
    assert!(run.stdout.contains("partial run"), "{}", run.stdout);
}

#[test]
fn a_c_board_with_a_bug_is_not_conformant() {
    let Some(exe) = build("c-board-mutant", "-O2 -DMUTANT_ECHO_STAYS_ON") else {
        return;
    };
    let (run, report, _) = certify_board("c-board-mutant", &exe);
    assert_eq!(run.code, 1, "NOT CONFORMANT exits 1:\n{}", run.stdout);
    assert!(
        clauses_with(&report, "fail")
            .iter()
            .any(|c| c == "ECHO.SWITCH"),
        "{}",
        run.stdout
    );
}
