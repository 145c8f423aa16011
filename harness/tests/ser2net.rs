//! A board behind real ser2net, the way device farms export serial ports: in raw TCP mode
//! (`--device tcp:` and `socket://`) and as RFC 2217 (`--device rfc2217:` and
//! `rfc2217://…?ign_set_control`). Needs the `ser2net`
//! program (`.ci/run` installs it); without it the test says so loudly and does nothing.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Procs, board_pty, certify, clauses_with, free_port_on, private_loopback, tempdir};

#[test]
fn boards_behind_ser2net_raw_and_rfc2217_are_certified() {
    if Command::new("ser2net").arg("-v").output().is_err() {
        // In CI a missing tool is a failure, never a silent skip (.ci/run installs it).
        assert!(
            std::env::var_os("CI").is_none(),
            "ser2net is not installed, and CI is set: .ci/run must install it"
        );
        eprintln!(
            "SKIPPED: ser2net is not installed (apt-get install ser2net); .ci/run installs it"
        );
        return;
    }
    let mut procs = Procs(Vec::new());
    let (raw_pty, farm_pty) = (board_pty(&mut procs), board_pty(&mut procs));
    // A third board whose every UART write is 100 ms late: a remote farm's latency.
    let late_pty = common::board_pty_with(&mut procs, &["--variant", "latency-100ms"]);
    // One private loopback address: the three ports stay free until ser2net binds them.
    let ip = private_loopback();
    let (raw_port, farm_port, late_port) =
        (free_port_on(&ip), free_port_on(&ip), free_port_on(&ip));
    let dir = tempdir("ser2net");
    let config = dir.join("ser2net.yaml");
    std::fs::write(
        &config,
        format!(
            "%YAML 1.1\n---\n\
             connection: &raw\n  accepter: tcp,{ip},{raw_port}\n  connector: serialdev,{raw_pty},115200n81,local\n  options:\n    kickolduser: true\n\
             connection: &farm\n  accepter: telnet(rfc2217),tcp,{ip},{farm_port}\n  connector: serialdev,{farm_pty},115200n81,local\n  options:\n    kickolduser: true\n\
             connection: &late\n  accepter: telnet(rfc2217),tcp,{ip},{late_port}\n  connector: serialdev,{late_pty},115200n81,local\n  options:\n    kickolduser: true\n"
        ),
    )
    .unwrap();
    procs.0.push(
        Command::new("ser2net")
            .args(["-n", "-u", "-c", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // ser2net listens once it has read its configuration.
    let start = Instant::now();
    while std::net::TcpStream::connect((ip.as_str(), farm_port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "ser2net did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    // One thread per ser2net port (each serves one client at a time), its URLs in turn:
    // the three boards are certified side by side.
    let certified = |device: String, link: String| {
        let (run, report) = certify(
            "ser2net",
            &["--device", &device, "--cases", "10", "--certs", "0,0,0"],
        );
        // Without --pki the TLS trust clauses are unproved: nothing fails, nothing certifies.
        assert_eq!(run.code, 3, "{device}\n{}\n{}", run.stdout, run.stderr);
        assert_eq!(report["verdict"], "incomplete");
        for g in report["unproved"].as_array().unwrap() {
            let why = g["why"].as_str().unwrap();
            assert!(
                why.contains("--pki DIR") || why.contains("--skip-timing"),
                "{g}"
            );
        }
        assert!(
            report["device"]["link"]
                .as_str()
                .unwrap()
                .starts_with(&link),
            "{}",
            report["device"]
        );
        assert!(
            clauses_with(&report, "fail").is_empty(),
            "{device}: {}",
            run.stdout
        );
        assert!(clauses_with(&report, "hung").is_empty(), "{}", run.stdout);
        if device.contains(&late_port.to_string()) {
            // The measured round trip holds the 100 ms.
            let ms = report["device"]["latency_ms"].as_u64().unwrap();
            assert!(ms >= 100, "latency {ms} ms");
        }
        assert!(
            clauses_with(&report, "pass").len() >= 150,
            "{device}: {:?}",
            clauses_with(&report, "skipped")
        );
    };
    std::thread::scope(|scope| {
        scope.spawn(|| {
            certified(format!("tcp:{ip}:{raw_port}"), format!("tcp {ip}:"));
            // The same port as a pyserial URL, as farm tooling hands them out.
            certified(format!("socket://{ip}:{raw_port}"), format!("tcp {ip}:"));
        });
        scope.spawn(|| {
            certified(
                format!("rfc2217:{ip}:{farm_port}@115200"),
                format!("rfc2217 {ip}:"),
            );
            certified(
                format!("rfc2217://{ip}:{farm_port}?ign_set_control"),
                format!("rfc2217 {ip}:"),
            );
        });
        scope.spawn(|| {
            certified(
                format!("rfc2217://{ip}:{late_port}?ign_set_control"),
                format!("rfc2217 {ip}:"),
            );
        });
    });
}
