//! The other half of the harness's teeth: behaviours the spec permits but the virtual board
//! does not choose by default (`--variant NAME`) must stay CONFORMANT, with no clause failing
//! or hung, under clause checks and fuzzing. `mutants.rs` proves the opposite side.

mod common;

use common::{atspec, certify, clauses_with};

fn profile(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/profiles")
        .join(name)
        .display()
        .to_string()
}

/// `esp_at`: whether the variant is also what the ESP-AT firmware does (the report's second
/// verdict, under the `esp-at` profile, must then show no difference beyond redirects;
/// otherwise it must show the differences — the contract tolerates more than the firmware
/// does). Every variant but `follows-redirects` keeps the board's unfollowed redirects, which
/// the `esp-at` profile tells apart in exactly the two redirect checks.
fn tolerated(variant: &str, esp_at: bool) {
    // Every UART write of the late variant waits 100 ms: fewer fuzzed sequences suffice.
    let cases = if variant == "latency-100ms" { 10 } else { 60 };
    let mut args = vec![
        "--variant".to_string(),
        variant.to_string(),
        "--cases".into(),
        cases.to_string(),
        "--seed".into(),
        "7".into(),
    ];
    // A variant with smaller limits is judged under the profile that declares them.
    let declared = profile(&format!("{variant}.yaml"));
    if std::path::Path::new(&declared).is_file() {
        args.extend(["--device-profile".into(), declared]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The late variant's timing is its point: it runs every check and must be CONFORMANT;
    // the others skip the deliberate waits and must pass every check they run.
    if variant == "latency-100ms" {
        let (run, report) = common::certify_timed(variant, &args);
        common::assert_conformant(&run, &report);
        return judged_beside_esp_at(variant, esp_at, cases, &report);
    }
    let (run, report) = certify(variant, &args);
    common::assert_conformant_but_timing(&run, &report);
    judged_beside_esp_at(variant, esp_at, cases, &report);
}

/// The second verdict, under `esp-at`, of a legitimate variant's report.
fn judged_beside_esp_at(variant: &str, esp_at: bool, cases: u32, report: &serde_json::Value) {
    assert!(clauses_with(report, "fail").is_empty());
    assert!(clauses_with(report, "hung").is_empty());
    assert_eq!(report["fuzz"]["cases"], cases);
    let second = &report["verdicts"][1];
    assert_eq!(second["profile"], "esp-at", "{second}");
    let failing: Vec<&str> = second["failing_checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let redirects = ["http.redirect", "http.redirect.post"];
    let follows = variant == "follows-redirects";
    for r in redirects {
        assert_eq!(
            failing.contains(&r),
            !follows,
            "variant {variant} under the esp-at profile: {second}"
        );
    }
    let others = failing.iter().filter(|c| !redirects.contains(c)).count();
    assert_eq!(
        others == 0,
        esp_at,
        "variant {variant} under the esp-at profile: {second}"
    );
}

macro_rules! variants {
    ($($test:ident: $name:literal, $esp_at:literal,)*) => {
        $(
            #[test]
            fn $test() {
                tolerated($name, $esp_at);
            }
        )*

        #[test]
        fn every_variant_has_a_test() {
            let names = [$($name),*];
            assert_eq!(
                names.len(),
                atspec_board::variant_names().len(),
                "variants: {:?}",
                atspec_board::variant_names()
            );
            for v in atspec_board::variant_names() {
                assert!(names.contains(&v), "variant {v} has no test");
            }
        }
    };
}

variants! {
    idf_header_order: "idf-header-order", true,
    small_pieces: "small-pieces", true,
    small_stores: "small-stores", true,
    // The order of a missing index's two refusals is open for the firmware too: every
    // profile takes the bare ERROR (`every_profile`).
    bare_missing_index: "bare-missing-index", true,
    transport_default: "transport-default", false,
    mode0_ignores_indexes: "mode0-ignores-indexes", false,
    follows_redirects: "follows-redirects", true,
    // Two faults, no order stated: the URL's answer passes under every profile.
    url_first: "url-first", true,
    // An overflow discards the rest of its chunk: how bytes reach the parser is not stated,
    // so every profile takes any tail after the overflow as the next line.
    chunk_discard: "chunk-discard", true,
    // 5-byte stores, the spec's floors, declared: the behaviour checks store and send
    // payloads that fit and prove their clauses all the same.
    tiny_stores: "tiny-stores", true,
    // Every UART write 100 ms late (a remote farm's link): the windows follow the link's
    // measured round trip, so nothing is judged before it arrives.
    latency_100ms: "latency-100ms", true,
}

/// The limit checks derive from the profile and bite both ways: the small-stores board under
/// its own profile runs both limit checks and passes them; under the default board profile
/// (1024-byte header store) its refusal of a 1024-byte entry fails the clause.
#[test]
fn declared_limits_are_checked_against_the_device() {
    let (run, report) = certify(
        "stores-declared",
        &[
            "--variant",
            "small-stores",
            "--device-profile",
            &profile("small-stores.yaml"),
            "--cases",
            "0",
        ],
    );
    common::assert_conformant_but_timing(&run, &report);
    let checks = report["checks"].as_array().unwrap();
    for name in ["httpchead.declared_limit", "httpcsend.declared_limit"] {
        let c = checks.iter().find(|c| c["name"] == name).unwrap();
        assert_eq!(c["verdict"]["verdict"], "pass", "{c}");
    }
    assert_eq!(report["device"]["profile"]["chead_entry_max"], 256);

    let (run, report) = certify(
        "stores-undeclared",
        &["--variant", "small-stores", "--cases", "0"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(clauses_with(&report, "fail").contains(&"HTTPCHEAD.LENGTH.RANGE".to_string()));
    assert!(clauses_with(&report, "hung").is_empty());
}

/// The floors' board: declared, its 5-byte stores prove every behaviour clause with payloads
/// that fit (`tiny_stores` above: CONFORMANT but for the skipped timing checks); undeclared,
/// the same refusals fail the store and send clauses, since the oracle then expects the
/// usual payloads to be taken.
#[test]
fn tiny_stores_fail_when_not_declared() {
    let (run, report) = certify(
        "tiny-undeclared",
        &["--variant", "tiny-stores", "--cases", "0"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failed = clauses_with(&report, "fail");
    for c in [
        "HTTPCHEAD.STORE.VERBATIM",
        "HTTPCHEAD.STORE.REPLACE_SAME_NAME",
        "HTTP.REQUEST.CHEAD_APPLIED",
        "HTTPCSEND.DATA.RAW",
    ] {
        assert!(failed.contains(&c.to_string()), "{c}: {failed:?}");
    }
    assert!(clauses_with(&report, "hung").is_empty());
}

/// A profile that claims a send limit the board does not have: the board prompts where the
/// oracle expects ERROR, the clause fails, the harness sends the promised bytes, and nothing
/// after it is reported hung.
#[test]
fn a_wrong_send_limit_fails_its_clause_without_hanging_later_checks() {
    let dir = common::tempdir("wrong-profile");
    let f = dir.join("wrong.yaml");
    std::fs::write(&f, "send_length_max: 4096\nchead_entry_max: 1024\n").unwrap();
    let (run, report) = certify(
        "wrong-send",
        &["--device-profile", f.to_str().unwrap(), "--cases", "0"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failed = clauses_with(&report, "fail");
    assert!(
        failed.contains(&"HTTPCSEND.LENGTH.RANGE".to_string()),
        "{failed:?}"
    );
    assert!(clauses_with(&report, "hung").is_empty());
    assert!(clauses_with(&report, "pass").contains(&"HTTPCFG.VERIFY.MODES_2_3".to_string()));
}

/// A declared class is exercised, never taken on trust: the board has TLS, so declaring
/// `tls: false` (class http) is a false claim, and `CONFORMANCE.CLASS.HTTPS` fails on the
/// https request it completes. The other side: the bare-metal image, which has no TLS, is
/// CONFORMANT to class http (`bare_metal.rs`). The TLS checks themselves are outside class
/// http: not applicable, never passed.
#[test]
fn a_false_claim_of_no_tls_fails_its_class_clause() {
    let dir = common::tempdir("no-tls");
    let f = dir.join("no-tls.yaml");
    std::fs::write(&f, "tls: false\n").unwrap();
    let junit = dir.join("r.xml");
    let log = dir.join("fuzz.jsonl");
    let (run, report) = certify(
        "no-tls",
        &[
            "--device-profile",
            f.to_str().unwrap(),
            "--cases",
            "40",
            "--fuzz-log",
            log.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    // Fuzzing stays within the declared class: no sequence reaches a TLS front (it used to,
    // and then failed the board for the HTTPS it does have).
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(log.lines().count(), 40);
    assert!(!log.contains("https://"), "{log}");
    assert!(!log.contains("{tls-"), "{log}");
    assert_eq!(report["fuzz"]["failing"], 0, "{}", run.stdout);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["class"], "http");
    assert_eq!(
        clauses_with(&report, "fail"),
        vec!["CONFORMANCE.CLASS.HTTPS".to_string()]
    );
    assert!(
        run.stdout
            .contains("NOT CONFORMANT to the contract, class http"),
        "{}",
        run.stdout
    );
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("<property name=\"class\" value=\"http\"/>")
    );
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "httpcfg.verify_modes")
        .unwrap();
    assert_eq!(c["verdict"]["verdict"], "not_applicable", "{c}");
    assert!(
        c["verdict"]["why"]
            .as_str()
            .unwrap()
            .contains("declares no TLS (class http)")
    );
    assert!(
        clauses_with(&report, "not applicable").contains(&"HTTPCFG.VERIFY.MODES_2_3".to_string())
    );
}

/// A broken profile is a setup error that points at the line.
#[test]
fn a_broken_profile_is_a_setup_error_at_its_position() {
    let dir = common::tempdir("bad-profile");
    let f = dir.join("bad.yaml");
    std::fs::write(&f, "tls: true\nchead_entry_max: -3\n").unwrap();
    let r = atspec(&[
        "certify",
        "--device-profile",
        f.to_str().unwrap(),
        "--cases",
        "0",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{}:2:18: error: chead_entry_max", f.display())),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unknown_variant_is_a_setup_error() {
    let r = atspec(&["certify", "--variant", "no-such-thing", "--cases", "0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("unknown variant `no-such-thing`; known: idf-header-order"),
        "{}",
        r.stderr
    );
}
