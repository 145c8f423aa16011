//! `atspec certify` end to end against the built-in virtual board: the unmutated board passes
//! every clause, reports are written and well formed, bad setups exit 2.

mod common;

use common::{Procs, atspec, board_tcp, certify, clauses_with, tempdir};

#[test]
fn the_virtual_board_passes_every_clause_and_the_reports_are_written() {
    let dir = tempdir("reports");
    let junit = dir.join("report.xml");
    let html = dir.join("report.html");
    let (run, report) = certify(
        "clean",
        &[
            "--cases",
            "40",
            "--seed",
            "11",
            "--junit",
            junit.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("CONFORMANT"), "{}", run.stdout);
    assert_eq!(
        report["clauses"].as_array().unwrap().len(),
        atspec_firmware::device::Clause::ALL.len()
    );
    let not_passed: Vec<_> = report["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] != "pass")
        .map(|c| format!("{} {}", c["id"], c["verdict"]))
        .collect();
    // Host/path mode needs ports 80/443; another test may hold them.
    assert!(
        not_passed
            .iter()
            .all(|c| c.contains("HTTPCLIENT.URL.HOST_PATH\"")
                || c.contains("HOST_PATH_SCHEME")
                || c.contains("TRANSPORT.DEFAULT")),
        "{not_passed:?}"
    );
    assert_eq!(report["conformant"], true);
    assert_eq!(report["fuzz"]["cases"], 40);
    assert!(report["fuzz"]["sequences"].as_u64().unwrap() >= 40);
    assert!(
        report["device"]["version"][0]
            .as_str()
            .unwrap()
            .starts_with("AT version:atspec")
    );
    assert!(
        report["spec"]
            .as_str()
            .unwrap()
            .starts_with("esp-at-http 1.0.0")
    );

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml")
            && xml.contains("<testsuites")
            && xml.trim_end().ends_with("</testsuites>")
    );
    assert!(!xml.contains('\r') && !xml.contains('\u{1b}') && !xml.contains('\0'));
    assert_eq!(
        xml.matches("<testcase ").count(),
        report["checks"].as_array().unwrap().len() + 1
    );

    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("CONFORMANT") && page.contains("HTTPCLIENT.OPT.UNKNOWN"));
    assert!(
        !page.contains("<script") && !page.contains("src=") && !page.contains("href=\"http"),
        "self-contained"
    );
}

#[test]
fn one_clause_runs_alone() {
    let (run, report) = certify(
        "one",
        &[
            "--clause",
            "HTTPCLIENT.OPT.UNKNOWN",
            "--no-well-known-ports",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        clauses_with(&report, "pass"),
        vec!["HTTPCLIENT.OPT.UNKNOWN".to_string()]
    );
    assert_eq!(report["checks"].as_array().unwrap().len(), 1);
    assert_eq!(report["fuzz"]["sequences"], 0);
}

#[test]
fn setup_errors_exit_2_with_a_clear_message() {
    let r = atspec(&["certify", "--device", "usb"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown device"), "{}", r.stderr);
    let r = atspec(&["certify", "--device", "serial:/dev/atspec-no-such-port"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cannot open serial port /dev/atspec-no-such-port"),
        "{}",
        r.stderr
    );
    let r = atspec(&["certify", "--device", "tcp:127.0.0.1:1"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot connect to 127.0.0.1:1"),
        "{}",
        r.stderr
    );
    let r = atspec(&["certify", "--clause", "NO.SUCH.CLAUSE"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown clause `NO.SUCH.CLAUSE`"),
        "{}",
        r.stderr
    );
    let r = atspec(&["certify", "--device", "probe-rs:esp32c3"]);
    assert_eq!(r.code, 2);
    #[cfg(not(feature = "probe"))]
    assert!(r.stderr.contains("--features probe"), "{}", r.stderr);
    #[cfg(feature = "probe")]
    assert!(r.stderr.contains("no debug probe found"), "{}", r.stderr);
    let r = atspec(&[
        "certify",
        "--device",
        "serial:/dev/null",
        "--mutant",
        "no-busy",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("virtual board only"), "{}", r.stderr);
}

#[test]
fn a_device_over_a_tcp_bridge_is_certified_and_tls_trust_is_skipped_without_certificates() {
    let mut procs = Procs(Vec::new());
    let addr = board_tcp(&mut procs);
    let device = format!("tcp:{addr}");
    let (run, report) = certify(
        "tcp",
        &[
            "--device",
            &device,
            "--cases",
            "15",
            "--certs",
            "0,0,0",
            "--no-well-known-ports",
        ],
    );
    drop(procs);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let skipped = clauses_with(&report, "skipped");
    for c in [
        "HTTPCFG.VERIFY.MODES_2_3",
        "HTTPCFG.CLIENT_CERT",
        "HTTPCFG.VERIFY.NO_HOSTNAME",
    ] {
        assert!(
            skipped.contains(&c.to_string()),
            "{c} must be skipped, never passed: {skipped:?}"
        );
    }
    assert!(clauses_with(&report, "fail").is_empty());
    assert!(
        report["device"]["link"]
            .as_str()
            .unwrap()
            .starts_with("tcp 127.0.0.1:")
    );
}

#[test]
fn a_user_supplied_server_certificate_runs_https_and_skips_trust_checks() {
    // A certificate the "device" does not check (mode 0), as for a real module whose trust
    // store the user controls: HTTPS runs, checks needing other certificates are skipped.
    let dir = tempdir("usercert");
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (c, k) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&c, cert.pem()).unwrap();
    std::fs::write(&k, key.serialize_pem()).unwrap();
    let mut procs = Procs(Vec::new());
    let addr = board_tcp(&mut procs);
    let device = format!("tcp:{addr}");
    let (run, report) = certify(
        "usercert",
        &[
            "--device",
            &device,
            "--cases",
            "0",
            "--certs",
            "0,0,0",
            "--no-well-known-ports",
            "--server-cert",
            c.to_str().unwrap(),
            "--server-key",
            k.to_str().unwrap(),
        ],
    );
    drop(procs);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let https = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "https.get")
        .unwrap();
    assert_eq!(https["verdict"]["verdict"], "pass", "{https}");
    let skipped = clauses_with(&report, "skipped");
    assert!(
        skipped.contains(&"HTTPCFG.VERIFY.MODES_2_3".to_string()),
        "{skipped:?}"
    );
}

#[test]
fn the_mock_peer_binds_where_it_is_told() {
    // Seven consecutive ports from a free one: wiremock, the raw server, five TLS fronts.
    let base = (0..20)
        .map(|_| common::free_port())
        .find(|p| {
            *p < 65_000 && (0..7).all(|i| std::net::TcpListener::bind(("127.0.0.1", p + i)).is_ok())
        })
        .expect("seven free consecutive ports");
    let bind = format!("127.0.0.1:{base}");
    let (run, report) = certify(
        "bind",
        &[
            "--clause",
            "HTTPCGET.BODY.LINES",
            "--mock-bind",
            &bind,
            "--no-well-known-ports",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        report["mock"]["wiremock"],
        format!("http://127.0.0.1:{base}")
    );
    assert_eq!(
        report["mock"]["raw"],
        format!("http://127.0.0.1:{}", base + 1)
    );
    assert_eq!(
        report["mock"]["tls-good"],
        format!("https://127.0.0.1:{}", base + 2)
    );
    assert_eq!(
        clauses_with(&report, "pass"),
        vec!["HTTPCGET.BODY.LINES".to_string()]
    );
}

/// A run split across CI runners (`--parallel-count/--parallel-index`): the shards' checks are
/// disjoint and together are all of them, their fuzzed cases add up to `--cases`, and a bad
/// index is a setup error.
#[test]
fn shards_split_the_run_without_overlap() {
    let mut names = std::collections::BTreeSet::new();
    let mut total_checks = 0;
    let mut cases = 0;
    for i in ["1", "2"] {
        let (run, report) = certify(
            &format!("shard{i}"),
            &[
                "--parallel-count",
                "2",
                "--parallel-index",
                i,
                "--cases",
                "5",
                "--no-well-known-ports",
            ],
        );
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(&format!("shard:  {i} of 2")),
            "{}",
            run.stdout
        );
        let checks = report["checks"].as_array().unwrap();
        total_checks += checks.len();
        for c in checks {
            assert!(
                names.insert(c["name"].as_str().unwrap().to_string()),
                "overlap: {c}"
            );
        }
        cases += report["fuzz"]["cases"].as_u64().unwrap();
    }
    let (_, whole) = certify("unsharded", &["--cases", "0", "--no-well-known-ports"]);
    assert_eq!(total_checks, whole["checks"].as_array().unwrap().len());
    assert_eq!(cases, 5);
    let r = atspec(&["certify", "--parallel-count", "2", "--parallel-index", "3"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--parallel-index must be 1..=--parallel-count"),
        "{}",
        r.stderr
    );
}
