//! `atspec certify` against the built-in board paced like a UART (`--baud`): the pace changes
//! timing only, never verdicts. At 115200 baud a subset that takes every command's HEAD, GET,
//! POST and PUT paths and a 100 KB body; at 921600 every check and some fuzzing. The unpaced
//! full run is in `certify.rs`.

mod common;

use common::{certify, clauses_with};

/// The checks that stream the most output per command, where line rate matters.
const SUBSET: &[&str] = &[
    "RESULT.FINAL.LAST",
    "HTTPCLIENT.HEAD.NO_BODY",
    "HTTPCLIENT.HEAD.HEADER_LINES",
    "HTTPCLIENT.OPT.METHOD",
    "HTTPCLIENT.BODY.LINES",
    "HTTPGETSIZE.REPORT",
    "HTTPCGET.BODY.LINES",
    "HTTPCSEND.SEND_OK",
    "HTTPCPUT.CONTENT_TYPE.DEFAULT",
    "HTTP.RESPONSE.PIECES",
];

#[test]
fn the_board_at_115200_baud_passes_the_streaming_checks() {
    let mut args = vec!["--baud", "115200"];
    for c in SUBSET {
        args.extend(["--clause", c]);
    }
    let (run, report) = certify("baud-115200", &args);
    common::assert_incomplete(&run, &report, None, &["partial run"]);
    assert!(
        report["device"]["link"]
            .as_str()
            .unwrap()
            .contains("paced at 115200 baud"),
        "{}",
        report["device"]
    );
    let passed = clauses_with(&report, "pass");
    for c in SUBSET {
        assert!(
            passed.iter().any(|p| p == c),
            "{c} did not pass: {passed:?}"
        );
    }
}

#[test]
fn the_board_at_921600_baud_passes_every_check() {
    let (run, report) = certify("baud-921600", &["--baud", "921600", "--cases", "30"]);
    common::assert_conformant_but_timing(&run, &report);
    assert!(clauses_with(&report, "fail").is_empty());
    assert!(clauses_with(&report, "hung").is_empty());
    assert_eq!(report["fuzz"]["cases"], 30);
}

#[test]
fn baud_is_refused_for_a_real_device() {
    let (run, _) = certify(
        "baud-real",
        &["--device", "tcp:127.0.0.1:9", "--baud", "115200"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--baud paces the built-in virtual board only"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_head_close_regression_replays_at_115200_baud() {
    let f = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/transcripts/regression-head-close-at-line-rate.json");
    let r = common::atspec(&[
        "replay",
        "--baud",
        "115200",
        "--no-well-known-ports",
        f.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("pass "), "{}", r.stdout);
}
