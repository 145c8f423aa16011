//! Every golden transcript in `fixtures/transcripts/` (the seed's and the reference's worked
//! examples, and regressions found while developing) replays against the virtual board.

mod common;

use common::atspec;

#[test]
fn every_fixture_replays_against_the_virtual_board() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/transcripts");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 6, "fixtures: {files:?}");
    let mut args = vec!["replay", "--no-well-known-ports"];
    args.extend(files.iter().map(String::as_str));
    let r = atspec(&args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with("pass ")).count(),
        files.len(),
        "{}",
        r.stdout
    );
}

#[test]
fn a_golden_expectation_pins_the_oracle() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/transcripts/seed-httpclient-get.json");
    let text = std::fs::read_to_string(&src).unwrap();
    assert!(
        text.contains("\"expected\": \"AT+HTTPCLIENT=2"),
        "the fixture carries golden records"
    );
    // One byte of the golden answer changed (the payload length): the oracle no longer agrees.
    let tampered = text.replacen("+HTTPCLIENT:98,", "+HTTPCLIENT:97,", 1);
    assert_ne!(tampered, text);
    let dir = common::tempdir("golden");
    let f = dir.join("tampered.json");
    std::fs::write(&f, tampered).unwrap();
    let r = atspec(&["replay", "--no-well-known-ports", f.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("golden "), "{}", r.stdout);
    assert!(r.stdout.contains("the oracle now predicts"), "{}", r.stdout);
}
