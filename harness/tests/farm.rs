//! Several devices in one run, and one certification split across runs: `--device` repeated
//! (checks and fuzzed cases shared out, each device with its own mock peer and UART log, one
//! merged report with per-device verdicts), and `--shard I/N` + `atspec report merge` giving
//! the verdicts of an unsharded run.

mod common;

use common::{Procs, atspec, board_pty_with, certify, clause_verdicts, tempdir};

#[test]
fn three_boards_in_one_run_give_one_report_with_per_device_verdicts() {
    let dir = tempdir("farm3");
    let html = dir.join("farm.html");
    let (run, report) = certify(
        "farm3",
        &[
            "--device",
            "virtual",
            "--device",
            "virtual",
            "--device",
            "virtual",
            "--cases",
            "30",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    // The three units share one certification out: the report as a whole is the certificate.
    common::assert_conformant_but_timing(&run, &report);
    let devices = report["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 3);
    let checks = report["checks"].as_array().unwrap();
    let mut total = 0;
    let mut cases = 0;
    for (i, d) in devices.iter().enumerate() {
        // A unit that ran a share of the checks gets no verdict of its own.
        assert_eq!(d["clean"], true, "{d}");
        assert!(d.get("conformant").is_none(), "{d}");
        let n = d["checks"].as_u64().unwrap();
        // Checks are taken from a shared queue: every device does some of them.
        assert!(n > 0, "device {i} ran no check");
        assert_eq!(checks.iter().filter(|c| c["device"] == i).count() as u64, n);
        total += n;
        cases += d["fuzz_cases"].as_u64().unwrap();
        // Each device has its own pty, and its own UART log next to the report.
        let log = d["identity"]["uart_log"].as_str().unwrap();
        let text = std::fs::read_to_string(log).unwrap();
        assert!(text.contains(" > AT+GMR\\r\\n"), "{log}");
        assert!(text.contains(" < "), "{log}");
        let name = std::path::Path::new(log).file_name().unwrap();
        assert_eq!(std::path::Path::new(log).parent(), html.parent());
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(
            page.contains(&format!("href=\"./{}\"", name.to_string_lossy())),
            "the HTML links {log}"
        );
    }
    // Every check ran once, on one device; every fuzzed case too.
    assert_eq!(total as usize, checks.len());
    assert_eq!(cases, 30);
    assert_eq!(report["fuzz"]["cases"], 30);
    let links: Vec<&str> = devices
        .iter()
        .map(|d| d["identity"]["link"].as_str().unwrap())
        .collect();
    assert!(links[0] != links[1] && links[1] != links[2], "{links:?}");
    // The host/path-mode check went to the first device, whose mock peer holds ports 80/443.
    let host_path = checks
        .iter()
        .find(|c| c["name"] == "httpclient.host_path")
        .unwrap();
    assert_eq!(host_path["device"], 0);
}

/// A farm with one broken unit: the report is NOT CONFORMANT, and the verdict names the unit.
#[test]
fn a_broken_unit_in_a_farm_fails_alone() {
    let mut procs = Procs(Vec::new());
    let broken = board_pty_with(&mut procs, &["--mutant", "no-syslog"]);
    let (run, report) = certify(
        "farm-broken",
        &[
            "--device",
            "virtual",
            "--device",
            &format!("serial:{broken}"),
            "--certs",
            "1,1,1",
            "--cases",
            "0",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "not_conformant");
    let devices = report["devices"].as_array().unwrap();
    assert_eq!(devices[0]["clean"], true, "{}", devices[0]);
    assert_eq!(devices[1]["clean"], false, "{}", devices[1]);
    assert!(
        !devices[1]["failing_checks"].as_array().unwrap().is_empty(),
        "{}",
        devices[1]
    );
    assert!(run.stdout.contains("device 2: serial "), "{}", run.stdout);
}

/// Two shards merged give the unsharded run's clause verdicts, failures included (the board
/// runs a mutant, so some clauses fail).
#[test]
fn shards_merged_equal_an_unsharded_run() {
    let common_args = ["--mutant", "no-busy", "--cases", "0"];
    let (whole_run, whole) = certify("whole", &common_args);
    assert_eq!(whole_run.code, 1, "{}", whole_run.stdout);
    let dir = tempdir("shards");
    let mut files = Vec::new();
    for i in 1..=2 {
        let json = dir.join(format!("shard-{i}.json"));
        let shard = format!("{i}/2");
        let bind = common::own_loopback();
        let mut args = vec![
            "certify",
            "--quiet",
            "--shard",
            &shard,
            "--json",
            json.to_str().unwrap(),
            "--mock-bind",
            &bind,
            // As `certify` above does.
            "--skip-timing",
        ];
        args.extend_from_slice(&common_args);
        let r = atspec(&args);
        assert_eq!(r.code, 1, "shard {i}: {}\n{}", r.stdout, r.stderr);
        files.push(json);
    }
    let merged_json = dir.join("merged.json");
    let junit = dir.join("merged.xml");
    let html = dir.join("merged.html");
    let mut args = vec!["report", "merge"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let (j, x, h) = (
        merged_json.display().to_string(),
        junit.display().to_string(),
        html.display().to_string(),
    );
    args.extend(["--json", &j, "--junit", &x, "--html", &h]);
    let r = atspec(&args);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged_json).unwrap()).unwrap();
    assert_eq!(clause_verdicts(&merged), clause_verdicts(&whole));
    assert_eq!(
        merged["checks"].as_array().unwrap().len(),
        whole["checks"].as_array().unwrap().len()
    );
    assert_eq!(merged["totals"], whole["totals"]);
    assert_eq!(merged["conformant"], false);
    // A device in several shards is one device (same link and AT+GMR); either way every
    // check is counted once.
    let counted: u64 = merged["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["checks"].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, merged["checks"].as_array().unwrap().len());
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("<testsuites")
    );
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("NOT CONFORMANT")
    );

    // Not a report, or reports of different profiles: an error, not a verdict.
    let bogus = dir.join("bogus.json");
    std::fs::write(&bogus, "{\"tool\": 1}").unwrap();
    let r = atspec(&["report", "merge", &names[0], bogus.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not an atspec JSON report"),
        "{}",
        r.stderr
    );
}

/// `--farm each`: every unit runs every check and gets its own verdict and report files; the
/// farm's exit status is the worst unit's. (Under `share`, above, no unit gets a verdict.)
#[test]
fn each_unit_of_a_farm_gets_its_own_verdict_from_every_check() {
    let mut procs = Procs(Vec::new());
    let broken = board_pty_with(&mut procs, &["--mutant", "no-syslog"]);
    let dir = tempdir("farm-each");
    let json = dir.join("farm.json");
    let bind = common::own_loopback();
    let serial = format!("serial:{broken}");
    let r = atspec(&[
        "certify",
        "--quiet",
        "--farm",
        "each",
        "--device",
        "virtual",
        "--device",
        &serial,
        "--certs",
        "1,1,1",
        "--cases",
        "5",
        "--skip-timing",
        "--mock-bind",
        &bind,
        "--json",
        json.to_str().unwrap(),
        "--failures",
        dir.join("failures").to_str().unwrap(),
    ]);
    // The broken unit decides the farm's status.
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("farm: 0 of 2 units CONFORMANT"),
        "{}",
        r.stdout
    );
    assert!(!json.exists(), "each unit writes its own files");
    let unit = |n: u32| -> serde_json::Value {
        let p = dir.join(format!("farm.unit-{n}.json"));
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
    };
    let (good, bad) = (unit(1), unit(2));
    // The good unit: every check ran on it and passed; only the skipped timing checks keep
    // it from CONFORMANT (`--skip-timing`, as the other tests run).
    assert_eq!(good["verdict"], "incomplete", "{}", good["gaps"]);
    assert_eq!(good["devices"].as_array().unwrap().len(), 1);
    assert_eq!(bad["verdict"], "not_conformant");
    assert_eq!(bad["devices"].as_array().unwrap().len(), 1);
    for (u, report) in [(1, &good), (2, &bad)] {
        assert_eq!(report["fuzz"]["cases"], 5, "unit {u}");
        let checks = report["checks"].as_array().unwrap();
        assert_eq!(
            checks.len(),
            good["checks"].as_array().unwrap().len(),
            "unit {u} ran every check"
        );
        assert!(checks.iter().all(|c| c["device"] == 0), "unit {u}");
    }
    assert!(
        r.stdout.contains("unit 2 (") && r.stdout.contains("NOT CONFORMANT"),
        "{}",
        r.stdout
    );
}
