//! ESP-AT version profiles, both ways: the board emulating each version (`--esp-at-version`)
//! is CONFORMANT under `--profile auto`, which must pick that version from AT+GMR and mark
//! the commands it lacks not applicable; the same board judged by another version's profile,
//! or by the contract, fails exactly where the versions differ.

mod common;

use common::{certify, clauses_with};

fn verdict(report: &serde_json::Value, i: usize) -> &serde_json::Value {
    &report["verdicts"][i]
}

fn emulated(version: &str) {
    let (run, report) = certify(
        &format!("version-{version}"),
        &[
            "--esp-at-version",
            version,
            "--profile",
            "auto",
            "--cases",
            "30",
            "--seed",
            "11",
        ],
    );
    let id = format!("esp-at-{version}");
    assert_eq!(
        run.code, 3,
        "ESP-AT {version} must pass its own profile in every check it ran\n{}\n{}",
        run.stdout, run.stderr
    );
    common::assert_conformant_but_timing(&run, &report);
    let first = verdict(&report, 0);
    assert_eq!(first["profile"], id.as_str(), "{first}");
    assert_eq!(first["decides"], true);
    assert_eq!(first["conformant"], true);
    assert!(
        report["profile_choice"]
            .as_str()
            .unwrap()
            .contains(&format!("AT version:{version}.0.0")),
        "{}",
        report["profile_choice"]
    );
    assert!(clauses_with(&report, "fail").is_empty());
    assert!(clauses_with(&report, "hung").is_empty());
    assert!(clauses_with(&report, "pass").contains(&"BASE.GMR.AT_VERSION".to_string()));
    // The commands the version lacks: their checks are not applicable, never passed.
    let lacks: Vec<&str> = atspec_firmware::device::profile(&id)
        .unwrap()
        .lacks
        .iter()
        .map(|n| n.as_str())
        .collect();
    let na: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"]["verdict"] == "not_applicable")
        .collect();
    assert_eq!(first["not_applicable"], na.len());
    assert_eq!(na.is_empty(), lacks.is_empty(), "{lacks:?}");
    for c in &na {
        let why = c["verdict"]["why"].as_str().unwrap();
        assert!(lacks.iter().any(|l| why.ends_with(l)), "{why}");
    }
    // Next to it, the contract: only the newest version has every command and behaviour.
    let second = verdict(&report, 1);
    assert_eq!(second["profile"], "contract");
    assert_eq!(
        second["conformant"],
        version == "4.1",
        "ESP-AT {version} against the contract: {second}"
    );
}

macro_rules! versions {
    ($($test:ident: $v:literal,)*) => {
        $(
            #[test]
            fn $test() {
                emulated($v);
            }
        )*

        #[test]
        fn every_version_has_a_test() {
            let mut names = vec![$($v.to_string()),*];
            let mut known = atspec_board::esp_at_versions();
            names.sort();
            known.sort();
            assert_eq!(names, known);
        }
    };
}

versions! {
    esp_at_2_2: "2.2",
    esp_at_2_3: "2.3",
    esp_at_3_0: "3.0",
    esp_at_3_1: "3.1",
    esp_at_4_1: "4.1",
}

/// Judged by a newer version's profile, a v3.1 board fails exactly the behaviours v4.1
/// changed (HTTPCHEAD duplicates, status codes on HTTPCGET/POST/PUT) and its version claim.
#[test]
fn an_older_version_fails_a_newer_profile_where_they_differ() {
    let (run, report) = certify(
        "v31-as-41",
        &[
            "--esp-at-version",
            "3.1",
            "--profile",
            "esp-at-4.1",
            "--cases",
            "0",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failed = clauses_with(&report, "fail");
    for id in [
        "HTTPCHEAD.STORE.REPLACE_SAME_NAME",
        "HTTP.STATUS.ERROR",
        "BASE.GMR.AT_VERSION",
    ] {
        assert!(failed.contains(&id.to_string()), "{id} not in {failed:?}");
    }
    assert!(clauses_with(&report, "hung").is_empty());
    // HTTPCFG is there under v4.1's profile: its checks run (and fail, the board lacks it).
    assert!(
        failed.contains(&"HTTPCFG.MODE.RANGE".to_string()),
        "{failed:?}"
    );
}

/// The HEAD line spacing of cores before v2.3 is a difference, not a tolerance: the v2.2
/// board fails v2.3's profile on it, and the v2.3 board fails v2.2's.
#[test]
fn head_line_spacing_is_judged_per_version() {
    for (board, profile) in [("2.2", "esp-at-2.3"), ("2.3", "esp-at-2.2")] {
        let (run, report) = certify(
            &format!("head-{board}"),
            &[
                "--esp-at-version",
                board,
                "--profile",
                profile,
                "--clause",
                "HTTPCLIENT.HEAD.HEADER_LINES",
            ],
        );
        assert_eq!(run.code, 1, "{board} as {profile}\n{}", run.stdout);
        assert!(
            clauses_with(&report, "fail").contains(&"HTTPCLIENT.HEAD.HEADER_LINES".to_string()),
            "{board} as {profile}: {}",
            run.stdout
        );
    }
}

/// `getsize_url_only` bites both ways: a v3.0 board (AT+HTTPGETSIZE with a tx size runs)
/// judged as v2.3 fails where v2.3 refuses the line, and a v2.3 board judged as v3.0 fails
/// where v3.0 runs it; each passes under its own profile.
#[test]
fn getsize_parameters_are_judged_per_version() {
    for (board, profile, passes) in [
        ("3.0", "esp-at-2.3", false),
        ("2.3", "esp-at-3.0", false),
        ("2.3", "esp-at-2.3", true),
        ("3.0", "esp-at-3.0", true),
    ] {
        let (run, report) = certify(
            &format!("getsize-{board}-{profile}"),
            &[
                "--esp-at-version",
                board,
                "--profile",
                profile,
                "--clause",
                "HTTP.BUFFER.TX_SIZE",
            ],
        );
        let failed = clauses_with(&report, "fail").contains(&"HTTP.BUFFER.TX_SIZE".to_string());
        // A partial run passes as INCOMPLETE (exit 3), never as a certificate.
        assert_eq!(
            (run.code == 3, failed),
            (passes, !passes),
            "{board} as {profile}: {}",
            run.stdout
        );
    }
}

/// Under the default profile the contract decides; the version AT+GMR reports is the second
/// verdict, which the v3.1 board passes while failing the contract.
#[test]
fn the_contract_decides_by_default_and_the_detected_version_is_reported_beside_it() {
    let (run, report) = certify("v31-contract", &["--esp-at-version", "3.1", "--cases", "0"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdict(&report, 0)["profile"], "contract");
    assert_eq!(verdict(&report, 0)["conformant"], false);
    assert_eq!(verdict(&report, 1)["profile"], "esp-at-3.1");
    assert_eq!(verdict(&report, 1)["conformant"], true);
    assert!(
        run.stdout
            .contains("NOT CONFORMANT to the contract; no differences from ESP-AT 3.1"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unknown_version_or_profile_is_a_usage_error() {
    let run = common::atspec(&["certify", "--esp-at-version", "9.9", "--cases", "0"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no profile of ESP-AT 9.9"),
        "{}",
        run.stderr
    );
    let run = common::atspec(&["certify", "--profile", "esp-at-9", "--cases", "0"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown profile `esp-at-9`"),
        "{}",
        run.stderr
    );
}

/// A version profile's `lacks` is a claim the device must back: the v2.2 board answers the
/// commands v2.2 lacks as unknown and passes `version.commands` under its own profile; the
/// v4.1 board, which has them, judged as v2.2 fails it.
#[test]
fn a_claim_to_lack_commands_is_verified() {
    let (run, report) = certify(
        "lacks-22",
        &[
            "--esp-at-version",
            "2.2",
            "--profile",
            "auto",
            "--clause",
            "FRAMING.COMMAND.UNKNOWN",
        ],
    );
    common::assert_incomplete(&run, &report, None, &["partial run"]);
    let check = |report: &serde_json::Value| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "version.commands")
            .map(|c| c["verdict"]["verdict"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(check(&report), "pass");
    let (run, report) = certify(
        "lacks-41-as-22",
        &[
            "--esp-at-version",
            "4.1",
            "--profile",
            "esp-at-2.2",
            "--clause",
            "FRAMING.COMMAND.UNKNOWN",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(check(&report), "fail");
}

/// `--profile auto` with a device that claims no ESP-AT version (the board says `AT
/// version:atspec …`) is a setup error that names the known profiles, not a silent contract.
#[test]
fn auto_without_a_version_claim_is_a_setup_error() {
    let run = common::atspec(&["certify", "--profile", "auto", "--cases", "0"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("AT+GMR claims no ESP-AT version"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("4.1 (esp-at-4.1)"), "{}", run.stderr);
}
