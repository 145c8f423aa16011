//! The harness has teeth: every deliberate deviation of the virtual board is caught, with the
//! clause it was written to break failing — and exactly the clauses recorded for it in
//! `fixtures/mutant-clauses.json` failing, every other clause still passing (so a mutant shows
//! what it breaks, and a clause verdict cannot drift unnoticed). The unmutated board is tested
//! in `certify.rs`. After a deliberate change, regenerate the fixture with
//! `ci/mutant-clauses.sh` and review its diff.

mod common;

use common::{certify, certify_timed, clauses_with};

/// Certifies the board running `mutant` without the timing checks, requires `clause` to
/// fail, and returns the report.
fn caught(mutant: &str, clause: &str) -> serde_json::Value {
    judged(mutant, clause, certify)
}

/// [`caught`] with the timing checks, for the mutants of timing.
fn caught_timed(mutant: &str, clause: &str) -> serde_json::Value {
    judged(mutant, clause, certify_timed)
}

fn judged(
    mutant: &str,
    clause: &str,
    certify: fn(&str, &[&str]) -> (common::Run, serde_json::Value),
) -> serde_json::Value {
    let (run, report) = certify(
        mutant,
        &["--mutant", mutant, "--cases", "0", "--no-well-known-ports"],
    );
    assert_eq!(
        run.code, 1,
        "mutant {mutant} must be caught\n{}\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(report["conformant"], false);
    let failed = clauses_with(&report, "fail");
    assert!(
        failed.contains(&clause.to_string()),
        "mutant {mutant}: {clause} must fail; failed: {failed:?}"
    );
    // Exactly the recorded set fails (or hangs), less what the run skipped (the record is
    // of a run with every check); every other clause passes.
    let skipped = clauses_with(&report, "skipped");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mutant-clauses.json");
    let sets: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let want: std::collections::BTreeSet<&str> = sets
        .get(mutant)
        .unwrap_or_else(|| panic!("fixtures/mutant-clauses.json has no entry for {mutant}"))
        .iter()
        .map(String::as_str)
        .filter(|c| !skipped.iter().any(|s| s == c))
        .collect();
    let mut got: std::collections::BTreeSet<String> = failed.into_iter().collect();
    got.extend(clauses_with(&report, "hung"));
    let got: std::collections::BTreeSet<&str> = got.iter().map(String::as_str).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    let missing: Vec<_> = want.difference(&got).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "mutant {mutant}: failing clauses differ from the record; also failing: {extra:?}; no longer failing: {missing:?}"
    );
    let passed = clauses_with(&report, "pass");
    assert_eq!(
        passed.len() + got.len(),
        atspec_firmware::device::Clause::ALL.len() - skipped.len(),
        "mutant {mutant}: every clause outside the record passes"
    );
    report
}

/// The record names only mutants the board has: a renamed or removed mutant's entry does not
/// linger, and every entry is a mutant some test here certifies.
#[test]
fn the_record_holds_only_real_mutants() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mutant-clauses.json");
    let sets: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The engine's mutants and the board's own (no-https).
    let known = atspec_board::mutant_names();
    let tests = include_str!("mutants.rs");
    for (name, clauses) in &sets {
        assert!(known.contains(&name.as_str()), "{name} is not a mutant");
        assert!(!clauses.is_empty(), "{name} breaks nothing on record");
        assert!(
            tests.contains(&format!("\"{name}\"")),
            "no test certifies {name}"
        );
    }
}

macro_rules! mutants {
    ($($test:ident: $name:literal => $clause:literal,)*) => {
        $(
            #[test]
            fn $test() {
                let _ = caught($name, $clause);
            }
        )*
    };
}

// Timing: a data phase abandoned after 2 s of silence, and timeout 0 read as 1 s. Their
// checks run (they are what catches them); every other mutant's run skips them.
#[test]
fn data_timeout_2s() {
    let _ = caught_timed("data-timeout-2s", "HTTPCSEND.DATA.NO_TIMEOUT");
}

#[test]
fn timeout_zero_1s() {
    let _ = caught_timed("timeout-zero-1s", "HTTP.TIMEOUT.ZERO_IS_DEFAULT");
}

/// A 300 ms timeout fired at 1 s: caught because the timeout is proved at several values,
/// each within its own proportional window.
#[test]
fn timeout_floor_1s() {
    let _ = caught_timed("timeout-floor-1s", "HTTP.TIMEOUT.NETWORK");
}

mutants! {
    prompt_space: "prompt-space" => "RESULT.PROMPT.BYTES",
    no_busy: "no-busy" => "BUSY.REJECT",
    status_errcode_flat: "status-errcode-flat" => "ERRCODE.HTTP.STATUS",
    drop_last_piece: "drop-last-piece" => "HTTPCGET.BODY.LINES",
    content_type_shift: "content-type-shift" => "HTTPCLIENT.CONTENT_TYPE.MAP",
    head_as_get: "head-as-get" => "HTTPCLIENT.HEAD.HEADER_LINES",
    urlcfg_empty_ignored: "urlcfg-empty-ignored" => "HTTP.URL.FALLBACK_URLCFG",
    chead_duplicates: "chead-duplicates" => "HTTPCHEAD.STORE.REPLACE_SAME_NAME",
    getsize_head: "getsize-head" => "HTTPGETSIZE.METHOD.GET",
    no_syslog: "no-syslog" => "SYSLOG.SET",
    errcode_uppercase: "errcode-uppercase" => "ERRCODE.FORMAT",
    send_fail_on_status: "send-fail-on-status" => "HTTPCSEND.STATUS_NOT_SEND_FAIL",
    echo_default_off: "echo-default-off" => "ECHO.DEFAULT_ON",
    rx_size_plus_one: "rx-size-plus-one" => "HTTP.RESPONSE.PIECES",
    user_agent: "user-agent" => "HTTP.REQUEST.USER_AGENT",
    chunk_framing_leak: "chunk-framing-leak" => "HTTP.RESPONSE.CHUNKED",
    // Following a POST's redirect as GET matches neither reading the contract allows.
    redirect_as_get: "redirect-as-get" => "HTTP.REDIRECT.NOT_FOLLOWED",
    // The request's framing, which neither server's record shows: caught where it is sent.
    http10: "http10" => "HTTP.REQUEST.LINE",
    header_no_colon: "header-no-colon" => "HTTP.REQUEST.LINE",
    // Ignoring the indexes mode 0 does not need is a reading; ignoring junk is not.
    mode0_accepts_anything: "mode0-accepts-anything" => "HTTPCFG.INDEXES.MODE_0",
    // Following some redirects and not others is no single reading.
    follows_307_only: "follows-307-only" => "HTTP.REDIRECT.NOT_FOLLOWED",
    // A CR LF 20 ms after AT+SYSLOG?'s OK: the trailer watched for the quiet window blames
    // the check that sent it (with a 3 ms window it leaked into the next case's known state,
    // and five unrelated clauses failed instead).
    late_trailer: "late-trailer" => "SYSLOG.QUERY",
    // HTTPS refused while the profile declares TLS: the declared class is exercised.
    no_https: "no-https" => "CONFORMANCE.CLASS.HTTPS",
}

/// A result word with its framing wrong fails at once when the device goes quiet, with a
/// diff, never as a hang (it used to hang 24 checks, 15 s each).
#[test]
fn a_result_word_without_its_framing_fails_without_a_hang() {
    let report = caught("send-ok-bare", "HTTPCSEND.SEND_OK");
    assert!(clauses_with(&report, "hung").is_empty());
    let hung: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"]["verdict"] == "hung")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(hung.is_empty(), "hung: {hung:?}");
}

#[test]
fn a_hanging_device_is_reported_hung_and_the_run_recovers() {
    let (run, report) = certify(
        "hang",
        &[
            "--mutant",
            "silent-getsize",
            "--cases",
            "0",
            "--timeout",
            "1",
            "--no-well-known-ports",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let hung = clauses_with(&report, "hung");
    assert!(
        hung.contains(&"HTTPGETSIZE.REPORT".to_string()),
        "hung: {hung:?}"
    );
    // After recovery the rest of the run still judges the device.
    let passed = clauses_with(&report, "pass");
    for c in [
        "HTTPCGET.BODY.LINES",
        "HTTPCHEAD.QUERY",
        "HTTPCFG.VERIFY.MODES_2_3",
    ] {
        assert!(
            passed.contains(&c.to_string()),
            "{c} should pass after recovery: {passed:?}"
        );
    }
}

/// Judged on divergence, not on timeout: a device that prompts with a bare `\r\n>` fails the
/// prompt clause with a diff, no step is reported hung, and the data phase it opened is closed
/// by sending the promised bytes, so later checks run normally.
#[test]
fn a_bare_prompt_fails_at_once_and_leaves_no_device_in_a_data_phase() {
    let report = caught("prompt-bare", "RESULT.PROMPT.BYTES");
    assert!(
        clauses_with(&report, "hung").is_empty(),
        "hung: {:?}",
        clauses_with(&report, "hung")
    );
    // Clauses that never open a data phase still pass after the failing ones.
    let passed = clauses_with(&report, "pass");
    for c in [
        "HTTPCFG.VERIFY.MODES_2_3",
        "HTTPCGET.BODY.LINES",
        "BASE.AT.OK",
    ] {
        assert!(passed.contains(&c.to_string()), "{c}: {passed:?}");
    }
}
