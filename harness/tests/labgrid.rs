//! A board in a LabGrid farm on loopback: a coordinator, an exporter serving the board's pty
//! as a `RawSerialPort` (the exporter spawns ser2net with RFC 2217), a place matching it, and
//! `atspec certify --device labgrid:PLACE@COORDINATOR` acquiring, certifying with a
//! provisioned PKI (no TLS check skipped) and releasing the place — on error too.
//!
//! Needs labgrid 26 (`pip install labgrid` into a virtualenv; `.ci/run` does) and ser2net:
//! `ATSPEC_LABGRID_CLIENT` names the virtualenv's `labgrid-client` (else `PATH` is used). Without
//! them the test says SKIPPED; in CI that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    Procs, atspec, board_pty_with, clauses_with, free_port_on, private_loopback, tempdir,
};

/// The labgrid programs' directory, or `None` (and a loud SKIPPED) when they are missing.
fn labgrid_bin() -> Option<PathBuf> {
    let client = std::env::var_os("ATSPEC_LABGRID_CLIENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("labgrid-client"));
    let ok = Command::new(&client)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("ser2net").arg("-v").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "labgrid or ser2net is not installed, and CI is set: .ci/run must install them"
        );
        eprintln!(
            "SKIPPED: labgrid-client ({}) or ser2net is not installed; .ci/run installs both",
            client.display()
        );
        return None;
    }
    // A bare name is looked up next to the coordinator and exporter on PATH.
    Some(
        client
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    )
}

fn tool(bin: &Path, name: &str) -> Command {
    if bin.as_os_str().is_empty() {
        Command::new(name)
    } else {
        Command::new(bin.join(name))
    }
}

/// Runs `labgrid-client -x COORD ARGS` and returns stdout (panics with stderr on failure).
fn client(bin: &Path, coord: &str, args: &[&str]) -> String {
    let out = tool(bin, "labgrid-client")
        .args(["-x", coord])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "labgrid-client {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_labgrid_place_is_acquired_certified_and_released() {
    let Some(bin) = labgrid_bin() else { return };
    let dir = tempdir("labgrid");
    let pki = dir.join("pki");
    assert_eq!(atspec(&["pki", "init", pki.to_str().unwrap()]).code, 0);
    let mut procs = Procs(Vec::new());
    let pty = board_pty_with(&mut procs, &["--pki", pki.to_str().unwrap()]);
    // The coordinator keeps places in places.yaml in its working directory: a fresh
    // directory per run, so no place survives from an earlier one.
    let ip = private_loopback();
    let coord = format!("{ip}:{}", free_port_on(&ip));
    procs.0.push(
        tool(&bin, "labgrid-coordinator")
            .args(["-l", &coord])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let exporter = dir.join("exporter.yaml");
    std::fs::write(
        &exporter,
        format!("atspec:\n  RawSerialPort:\n    port: {pty}\n    speed: 115200\n"),
    )
    .unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(&coord).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the coordinator did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    procs.0.push(
        tool(&bin, "labgrid-exporter")
            .args(["-c", &coord, "-n", "atspec-exp", "--hostname", "127.0.0.1"])
            .arg(&exporter)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    while !client(&bin, &coord, &["resources"]).contains("atspec-exp/atspec") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the exporter did not register"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    client(&bin, &coord, &["-p", "dut", "create"]);
    client(
        &bin,
        &coord,
        &["-p", "dut", "add-match", "atspec-exp/atspec/*"],
    );

    let client_path = bin.join("labgrid-client");
    let device = format!("labgrid:dut@{coord}");
    let bind = common::own_loopback();
    let run_certify = |tag: &str, device: &str, extra: &[&str]| {
        let mut args = vec![
            "--device",
            device,
            "--pki",
            pki.to_str().unwrap(),
            "--mock-bind",
            &bind,
        ];
        args.extend_from_slice(extra);
        let dir = tempdir(tag);
        let json = dir.join("r.json");
        let mut all = vec!["certify", "--quiet", "--json", json.to_str().unwrap()];
        all.extend_from_slice(&args);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_atspec"));
        if !bin.as_os_str().is_empty() {
            cmd.env("ATSPEC_LABGRID_CLIENT", &client_path);
        }
        let out = cmd.args(&all).output().unwrap();
        let report: serde_json::Value = std::fs::read_to_string(&json)
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap_or(serde_json::Value::Null);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            report,
        )
    };
    let (code, stdout, stderr, report) = run_certify("labgrid-run", &device, &["--cases", "10"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(report["verdict"], "conformant", "{stdout}");
    assert_eq!(report["unproved"], serde_json::json!([]), "{stdout}");
    assert!(
        report["device"]["link"]
            .as_str()
            .unwrap()
            .starts_with("labgrid place dut (rfc2217 127.0.0.1:"),
        "{}",
        report["device"]
    );
    // With the provisioned PKI and ports 80/443 on the run's own loopback address, every
    // check ran: nothing skipped.
    let skipped = clauses_with(&report, "skipped");
    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(clauses_with(&report, "pass").contains(&"HTTPCFG.CLIENT_CERT".to_string()));
    // Released at the end.
    let show = client(&bin, &coord, &["-p", "dut", "show"]);
    assert!(show.contains("acquired: None"), "{show}");

    // A setup error (an unknown profile, found after the link is up) releases it too.
    let (code, _, stderr, _) = run_certify(
        "labgrid-error",
        &device,
        &["--cases", "0", "--profile", "no-such-profile"],
    );
    assert_eq!(code, 2, "{stderr}");
    let show = client(&bin, &coord, &["-p", "dut", "show"]);
    assert!(show.contains("acquired: None"), "{show}");

    // The LabGrid CI recipe's own lines, for real, with its variables set to this farm:
    // reserve (waiting while the place is busy), certify through the place, cancel.
    let recipe = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci/labgrid/gitlab-labgrid.yml"),
    )
    .unwrap();
    let reserve = client(&bin, &coord, &["reserve", "--wait", "--shell", "name=dut"]);
    let token = reserve
        .lines()
        .find_map(|l| l.strip_prefix("export LG_TOKEN="))
        .expect("a reservation token")
        .trim()
        .to_string();
    let line = recipe
        .lines()
        .skip_while(|l| !l.contains("target/release/atspec certify"))
        .take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with("after_script"))
        .map(str::trim)
        .filter(|l| !l.starts_with("- ") && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let ip = bind.trim_end_matches(":0");
    let filled = line
        .replace("$LG_PLACE@$LG_COORDINATOR", &format!("dut@{coord}"))
        .replace("$LG_PLACE", "dut")
        .replace(
            ".venv/bin/labgrid-client",
            &format!("{} -x {coord}", client_path.display()),
        )
        .replace("0.0.0.0:0", &bind)
        .replace("$RUNNER_LAN_IP", ip)
        .replace("reports/", &format!("{}/", dir.join("recipe").display()));
    let words = common::shell_words(&filled);
    assert_eq!(words[0], "target/release/atspec", "{filled}");
    let out = Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(&words[1..])
        .env("ATSPEC_LABGRID_CLIENT", &client_path)
        .env("ATSPEC_PKI", &pki)
        // The board here reports no ESP-AT version: the lab's `auto` becomes the contract.
        .env("ATSPEC_PROFILE", "contract")
        .env("ATSPEC_CASES", "3")
        .env("ATSPEC_QUIET", "true")
        .env_remove("ATSPEC_SETUP")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{filled}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("recipe/atspec.xml").is_file());
    // Through the reserved place, not some default device.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("recipe/atspec.json")).unwrap())
            .unwrap();
    assert!(
        report["device"]["link"]
            .as_str()
            .unwrap()
            .starts_with("labgrid place dut"),
        "{}",
        report["device"]
    );
    assert_eq!(report["verdict"], "conformant", "{stdout}");
    client(&bin, &coord, &["cancel-reservation", &token]);
    let show = client(&bin, &coord, &["-p", "dut", "show"]);
    assert!(show.contains("acquired: None"), "{show}");

    // A place that does not exist is a setup error naming it.
    let (code, _, stderr, _) = run_certify(
        "labgrid-missing",
        &format!("labgrid:nowhere@{coord}"),
        &["--cases", "0"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot acquire `nowhere`"), "{stderr}");
}
