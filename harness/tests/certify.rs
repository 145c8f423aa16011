//! `atspec certify` end to end against the built-in virtual board: the unmutated board passes
//! every clause, reports are written and well formed, bad setups exit 2.

mod common;

use common::{Procs, atspec, board_tcp, certify, clauses_with, tempdir};

#[test]
fn the_virtual_board_passes_every_clause_and_the_reports_are_written() {
    let dir = tempdir("reports");
    let junit = dir.join("report.xml");
    let html = dir.join("report.html");
    let (run, report) = common::certify_timed(
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
    common::assert_conformant(&run, &report);
    assert!(
        run.stdout.contains("CONFORMANT to the contract"),
        "{}",
        run.stdout
    );
    assert_eq!(
        report["clauses"].as_array().unwrap().len(),
        atspec_firmware::device::Clause::ALL.len()
    );
    // The run has a loopback address of its own, so host/path mode holds ports 80 and 443:
    // every clause passes, nothing is left unproved.
    let not_passed: Vec<_> = report["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] != "pass")
        .map(|c| format!("{} {}", c["id"], c["verdict"]))
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:?}");
    assert_eq!(report["class"], "https");
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
    // Every check, fuzzing, and the certificate itself.
    assert_eq!(
        xml.matches("<testcase ").count(),
        report["checks"].as_array().unwrap().len() + 2
    );
    assert!(
        xml.contains("<property name=\"verdict\" value=\"CONFORMANT\"/>"),
        "{xml}"
    );
    assert!(!xml.contains("<error") && !xml.contains("<failure"));
    // Every suite is timed, and fuzzing has one name whatever the seed (CI keeps its history).
    let suites: Vec<&str> = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<testsuite "))
        .collect();
    assert!(suites.len() > 3);
    assert!(suites.iter().all(|l| l.contains(" time=\"")), "{suites:?}");
    assert!(
        xml.contains("<testcase classname=\"fuzz\" name=\"stateful fuzzing\" time=\"")
            && xml.contains("<property name=\"seed\" value=\"11\"/>"),
        "{xml}"
    );

    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("CONFORMANT") && page.contains("HTTPCLIENT.OPT.UNKNOWN"));
    assert!(
        // One inline script (the filter) and nothing loaded from anywhere.
        page.matches("<script>").count() == 1
            && !page.contains("src=")
            && !page.contains("href=\"http"),
        "self-contained"
    );
}

/// A failing check in JUnit: its exchange and the device's UART log while it ran, in
/// `system-out`, beside the failure.
#[test]
fn junit_puts_a_failing_exchange_and_its_uart_log_in_system_out() {
    let dir = tempdir("junit-fail");
    let junit = dir.join("r.xml");
    let (run, report) = certify(
        "junit-fail",
        &[
            "--mutant",
            "no-syslog",
            "--clause",
            "SYSLOG.SET",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let failing: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"]["verdict"] == "fail")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(!failing.is_empty(), "{}", report["checks"]);
    let xml = std::fs::read_to_string(&junit).unwrap();
    for name in failing {
        let at = xml.find(&format!("name=\"{name}\"")).unwrap();
        let case = &xml[at..at + xml[at..].find("</testcase>").unwrap()];
        assert!(case.contains("<failure "), "{case}");
        let out = &case[case.find("<system-out>").expect(case)..];
        assert!(out.contains("exchange:\nsend: AT"), "{out}");
        assert!(out.contains("UART log ("), "{out}");
        // The log's lines: time, direction, bytes.
        assert!(out.contains(" &gt; AT+SYSLOG"), "{out}");
    }
}

/// `--color always` colors even into a pipe, `never` (and a pipe under `auto`) does not; a
/// pty without modem lines prints no DTR/RTS note unless that reset is asked for.
#[test]
fn color_follows_the_flag_and_a_pty_run_has_no_line_notes() {
    let mut runs = Vec::new();
    for color in ["always", "never", "auto"] {
        let bind = common::own_loopback();
        let r = atspec(&[
            "--color",
            color,
            "certify",
            "--quiet",
            "--clause",
            "SYSLOG.SET",
            "--mock-bind",
            &bind,
        ]);
        assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("DTR"), "{}", r.stderr);
        runs.push(r.stdout.contains("\x1b["));
    }
    assert_eq!(runs, [true, false, false]);
}

/// `--check` and `--clause` take globs and select exactly what `atspec list` shows them to
/// match; a selection is a partial run, never a certificate.
#[test]
fn checks_are_selected_by_glob_as_listed() {
    let listed = atspec(&["list", "checks"]);
    assert_eq!(listed.code, 0);
    let mut expected: Vec<&str> = listed
        .stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .filter(|n| n.starts_with("httpcfg."))
        .collect();
    assert!(expected.len() > 2, "{}", listed.stdout);
    let (run, report) = certify("glob", &["--check", "HTTPCFG.*"]);
    common::assert_incomplete(
        &run,
        &report,
        None,
        &["partial run: only the checks HTTPCFG.* (--check), and no fuzzing"],
    );
    let mut ran: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    ran.sort_unstable();
    expected.sort_unstable();
    assert_eq!(ran, expected);
    // A glob that matches nothing is a usage error that says where to look.
    let r = atspec(&["certify", "--check", "nope.*"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`atspec list checks`"), "{}", r.stderr);
    let clauses = atspec(&["list", "clauses"]);
    assert_eq!(
        clauses.stdout.lines().count(),
        atspec_firmware::device::Clause::ALL.len()
    );
}

/// Options come from the command line, then `ATSPEC_*` variables, then `atspec.toml` (or
/// `--config FILE`), then defaults; `--print-config` says which, and a run uses them.
#[test]
fn options_come_from_the_command_line_the_environment_a_file_and_defaults() {
    let dir = tempdir("config");
    std::fs::write(
        dir.join("atspec.toml"),
        "cases = 7\nseed = 5\nmax-len = 3\n[certify]\ndevice = [\"virtual\"]\nclause = [\"SYSLOG.SET\"]\njson = \"out/r.json\"\n",
    )
    .unwrap();
    let run = |extra_env: &[(&str, &str)], args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_atspec"))
            .current_dir(&dir)
            .envs(extra_env.iter().copied())
            .env_remove("ATSPEC_CASES")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, text, err) = run(
        &[("ATSPEC_SEED", "6")],
        &["certify", "--print-config", "--max-len", "4"],
    );
    assert_eq!(code, 0, "{err}");
    let line = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_string()
    };
    assert!(line("cases").contains(" 7 ") && line("cases").ends_with("(file atspec.toml:1)"));
    assert!(line("seed").contains(" 6 ") && line("seed").ends_with("(environment ATSPEC_SEED)"));
    assert!(line("max-len").contains(" 4 ") && line("max-len").ends_with("(command line)"));
    assert!(line("max-shrink-time").ends_with("(default)"), "{text}");
    assert!(line("device").ends_with("(file atspec.toml:5)"), "{text}");
    // The file's options drive a real run: one clause, its JSON where the file says.
    let bind = common::own_loopback();
    let (code, _, err) = run(&[("ATSPEC_MOCK_BIND", &bind)], &["certify", "--quiet"]);
    assert_eq!(code, 3, "{err}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/r.json")).unwrap()).unwrap();
    assert_eq!(report["scope"]["clauses"][0], "SYSLOG.SET");
    // A mistyped key is a setup error that points at its line.
    std::fs::write(dir.join("bad.toml"), "cases = 1\nseeed = 1\n").unwrap();
    let (code, _, err) = run(&[], &["certify", "--config", "bad.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:2: unknown option `seeed`"), "{err}");
}

#[test]
fn one_clause_runs_alone() {
    let (run, report) = certify("one", &["--clause", "HTTPCLIENT.OPT.UNKNOWN"]);
    // A partial run proves its clause but can never be a certificate.
    common::assert_incomplete(
        &run,
        &report,
        None,
        &["partial run: only the checks of HTTPCLIENT.OPT.UNKNOWN"],
    );
    let others = atspec_firmware::device::Clause::ALL.len() - 1;
    assert_eq!(report["unproved"].as_array().unwrap().len(), others);
    assert!(
        run.stdout.contains(&format!(
            "unproved {others} clauses: not selected (partial run: --clause)"
        )),
        "{}",
        run.stdout
    );
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
        r.stderr.contains("no clause matches `NO.SUCH.CLAUSE`"),
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
        &["--device", &device, "--cases", "15", "--certs", "0,0,0"],
    );
    drop(procs);
    // Without a provisioned PKI the TLS clauses cannot be proved: INCOMPLETE, never
    // CONFORMANT, and the report says what would prove them.
    // The profile also declares no certificate slot: below the spec's floor for class https,
    // which the static review of the profile names.
    common::assert_incomplete(&run, &report, Some(TLS_CLAUSES), NO_SLOTS);
    for g in report["unproved"].as_array().unwrap() {
        let why = g["why"].as_str().unwrap();
        assert!(
            why.contains("--pki DIR") || why.contains("--skip-timing"),
            "{g}"
        );
    }
    assert!(!run.stdout.contains("CONFORMANT to"), "{}", run.stdout);
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
            "--server-cert",
            c.to_str().unwrap(),
            "--server-key",
            k.to_str().unwrap(),
        ],
    );
    drop(procs);
    common::assert_incomplete(&run, &report, Some(USER_CERT_UNPROVED), NO_SLOTS);
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
    // On a loopback address of this test's own, so the ports stay free until the run binds them.
    let ip = common::private_loopback();
    let base = (0..20)
        .map(|_| common::free_port_on(&ip))
        .find(|p| {
            *p < 65_000 && (0..7).all(|i| std::net::TcpListener::bind((ip.as_str(), p + i)).is_ok())
        })
        .expect("seven free consecutive ports");
    let bind = format!("{ip}:{base}");
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
    common::assert_incomplete(&run, &report, None, &["partial run"]);
    assert_eq!(report["mock"]["wiremock"], format!("http://{ip}:{base}"));
    assert_eq!(report["mock"]["raw"], format!("http://{ip}:{}", base + 1));
    assert_eq!(
        report["mock"]["tls-good"],
        format!("https://{ip}:{}", base + 2)
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
    let dir = tempdir("shards");
    let mut files = Vec::new();
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
            ],
        );
        // A lone shard is never a certificate.
        let other = if i == "1" { "2" } else { "1" };
        common::assert_incomplete(
            &run,
            &report,
            None,
            &[&format!(
                "shard {other} of 2 missing: this report holds {i}"
            )],
        );
        let f = dir.join(format!("shard{i}.json"));
        std::fs::write(&f, report.to_string()).unwrap();
        files.push(f);
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
    let (_, whole) = certify("unsharded", &["--cases", "0"]);
    assert_eq!(total_checks, whole["checks"].as_array().unwrap().len());
    assert_eq!(cases, 5);
    // Both shards together are the whole certification.
    let merged = dir.join("merged.json");
    let f: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let r = atspec(&[
        "report",
        "merge",
        f[0],
        f[1],
        "--json",
        merged.to_str().unwrap(),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    common::assert_conformant_but_timing(&r, &report);
    assert_eq!(report["scope"]["shards"], serde_json::json!([1, 2]));
    // One shard alone is INCOMPLETE; one shard twice is refused; a shard of another split
    // (here: another seed) is refused.
    let r = atspec(&["report", "merge", f[0]]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("INCOMPLETE under the contract"),
        "{}",
        r.stdout
    );
    let r = atspec(&["report", "merge", f[0], f[0]]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("holds shard 1 of 2 again"),
        "{}",
        r.stderr
    );
    let mut foreign: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f[1]).unwrap()).unwrap();
    foreign["scope"]["seed"] = serde_json::json!(7);
    let ff = dir.join("foreign.json");
    std::fs::write(&ff, foreign.to_string()).unwrap();
    let r = atspec(&["report", "merge", f[0], ff.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("not a shard of the same certification"),
        "{}",
        r.stderr
    );
    // Nor is a shard whose timing checks ran while the others' were skipped.
    let mut timed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f[1]).unwrap()).unwrap();
    timed["scope"]
        .as_object_mut()
        .unwrap()
        .remove("skip_timing")
        .expect("the shards state --skip-timing");
    let tf = dir.join("timed.json");
    std::fs::write(&tf, timed.to_string()).unwrap();
    let r = atspec(&["report", "merge", f[0], tf.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("its --skip-timing differs"),
        "{}",
        r.stderr
    );
    let r = atspec(&["certify", "--parallel-count", "2", "--parallel-index", "3"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--parallel-index must be 1..=--parallel-count"),
        "{}",
        r.stderr
    );
}

/// The clauses only a provisioned PKI proves (the untrusted, expired and client-certificate
/// fronts, the good front's HTTPS).
const TLS_CLAUSES: &[&str] = &[
    "CONFORMANCE.CLASS.HTTPS",
    "HTTPCFG.CLIENT_CERT",
    "HTTPCFG.GLOBAL",
    "HTTPCFG.VERIFY.MODES_0_1",
    "HTTPCFG.VERIFY.MODES_2_3",
    "HTTPCFG.VERIFY.NO_HOSTNAME",
    // Host/path mode's transport 2 is HTTPS on port 443: a front, so a PKI, is needed too.
    "HTTPCLIENT.URL.HOST_PATH",
];

/// The static review's findings for `--certs 0,0,0` on a device of class https.
const NO_SLOTS: &[&str] = &[
    "declared limit too small to prove it: certificates.certs 0 is below the spec's floor 1",
    "declared limit too small to prove it: certificates.keys 0 is below the spec's floor 1",
    "declared limit too small to prove it: certificates.cas 0 is below the spec's floor 1",
];

/// Those a user-supplied server certificate (the good front only) leaves unproved.
const USER_CERT_UNPROVED: &[&str] = &[
    "HTTPCFG.CLIENT_CERT",
    "HTTPCFG.GLOBAL",
    "HTTPCFG.VERIFY.MODES_2_3",
    "HTTPCFG.VERIFY.NO_HOSTNAME",
];

/// Without ports 80 and 443 the host/path clause is unproved: INCOMPLETE, exit 3, with the
/// reason; with them (a loopback address of the run's own) the same run is CONFORMANT.
#[test]
fn without_well_known_ports_the_run_is_incomplete() {
    // Every check runs, so the host/path clause is the only one unproved.
    let (run, report) = common::certify_timed("no-80", &["--cases", "5", "--no-well-known-ports"]);
    common::assert_incomplete(&run, &report, Some(&["HTTPCLIENT.URL.HOST_PATH"]), &[]);
    let host_path = report["unproved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["clause"] == "HTTPCLIENT.URL.HOST_PATH")
        .expect("the host/path clause is unproved");
    assert_eq!(
        host_path["why"],
        "needs the mock peer on ports 80 and 443 (host/path mode)"
    );
    assert!(
        run.stdout
            .contains("INCOMPLETE under the contract (1 clause unproved)"),
        "{}",
        run.stdout
    );
}

/// Report folders are made before the run, an unwritable report path is a setup error at
/// once, and a run that cannot start still writes its JSON and JUnit (one error case), so CI
/// shows why instead of a missing file.
#[test]
fn setup_errors_write_their_reports_and_bad_paths_fail_at_once() {
    let root = tempdir("setup-reports");
    let dir = root.join("not/yet/there");
    let (json, junit) = (dir.join("r.json"), dir.join("r.xml"));
    // A report of an earlier run at the same path must not survive as if it were this one's.
    let html = root.join("r.html");
    std::fs::write(&html, "CONFORMANT to the contract").unwrap();
    let r = atspec(&[
        "certify",
        "--device",
        "tcp:127.0.0.1:1",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["verdict"], "error");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("cannot connect to 127.0.0.1:1")
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<error type=\"setup\""), "{xml}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("could not start") && page.contains("cannot connect to 127.0.0.1:1"));
    assert!(!page.contains("CONFORMANT"), "{page}");
    // Refused before any device comes up: no progress, no verdict, only the path.
    let r = atspec(&[
        "certify",
        "--json",
        "/proc/atspec/none/r.json",
        "--cases",
        "0",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot create /proc/atspec/none"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

/// `--waive` both ways: waiving the one clause a run leaves unproved makes it CONFORMANT
/// "with 1 waiver" (exit 0), every report listing it; waiving a clause a mutant fails
/// changes nothing (exit 1): a waiver never excuses a failure. A bad waiver file is exit 2
/// at its position.
#[test]
fn a_waiver_covers_an_unproved_clause_never_a_failure() {
    let dir = tempdir("waive");
    let w = dir.join("waivers.yaml");
    std::fs::write(
        &w,
        "- clause: HTTPCLIENT.URL.HOST_PATH\n  reason: lab network has no port 80\n- clause: HTTPCHEAD.STORE.REPLACE_SAME_NAME\n  reason: tested by the vendor\n",
    )
    .unwrap();
    let junit = dir.join("r.xml");
    let (run, report) = common::certify_timed(
        "waived",
        &[
            "--cases",
            "5",
            "--no-well-known-ports",
            "--waive",
            w.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    common::assert_conformant(&run, &report);
    assert!(
        run.stdout
            .contains("CONFORMANT to the contract with 2 waivers"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("waived HTTPCLIENT.URL.HOST_PATH: lab network has no port 80")
    );
    assert_eq!(report["waivers"].as_array().unwrap().len(), 2);
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("HTTPCLIENT.URL.HOST_PATH: lab network has no port 80")
    );
    // The same waivers on a device that fails one of the waived clauses.
    let (run, report) = certify(
        "waived-mutant",
        &[
            "--mutant",
            "chead-duplicates",
            "--cases",
            "0",
            "--no-well-known-ports",
            "--waive",
            w.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "not_conformant");
    assert_eq!(
        clauses_with(&report, "fail"),
        vec!["HTTPCHEAD.STORE.REPLACE_SAME_NAME".to_string()]
    );
    // A waiver of an unknown clause: refused before anything runs.
    std::fs::write(&w, "- clause: NO.SUCH\n  reason: x\n").unwrap();
    let r = atspec(&["certify", "--waive", w.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("waivers.yaml:1:11: error: unknown clause `NO.SUCH`"),
        "{}",
        r.stderr
    );
}

/// A report that does not say which part of a certification it holds (written before reports
/// had a scope, or edited) is not merged into a verdict.
#[test]
fn a_report_without_a_scope_is_not_merged() {
    let (_, report) = certify("scopeless", &["--clause", "BASE.AT.OK"]);
    let mut old = report.clone();
    old.as_object_mut().unwrap().remove("scope");
    let f = tempdir("scopeless").join("old.json");
    std::fs::write(&f, old.to_string()).unwrap();
    let r = atspec(&["report", "merge", f.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("missing field `scope`"), "{}", r.stderr);
}
