//! A PKI to provision into a device (`atspec pki init`) and certification with it
//! (`certify --pki DIR`): a device reached only through its serial port, holding the
//! provisioned CA and client identity, runs every TLS trust check; one provisioned with
//! another PKI fails them.

mod common;

use common::{Procs, atspec, board_pty_with, certify, tempdir};

const TRUST_CHECKS: [&str; 4] = [
    "https.get",
    "httpcfg.verify_modes",
    "httpcfg.client_cert",
    "httpcfg.global",
];

fn verdict(report: &serde_json::Value, check: &str) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == check)
        .map(|c| c["verdict"]["verdict"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no check {check}"))
}

#[test]
fn init_writes_a_pki_and_keeps_an_existing_one() {
    let dir = tempdir("pki-init").join("pki");
    let r = atspec(&["pki", "init", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in [
        "ca.crt",
        "ca.key",
        "client.crt",
        "client.key",
        "ca.0.pem",
        "client.0.crt.pem",
        "client.0.key.pem",
        "README.md",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let ca = std::fs::read_to_string(dir.join("ca.crt")).unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(
        std::fs::read_to_string(dir.join("README.md"))
            .unwrap()
            .contains("AT+SYSMFG")
    );
    // A second init keeps the PKI a device may already hold ...
    let r = atspec(&["pki", "init", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("ca.crt")).unwrap(), ca);
    // ... unless told otherwise.
    let r = atspec(&["pki", "init", "--force", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(std::fs::read_to_string(dir.join("ca.crt")).unwrap(), ca);
}

#[test]
fn a_provisioned_device_runs_every_trust_check() {
    let root = tempdir("pki-device");
    let (mine, other) = (root.join("mine"), root.join("other"));
    for d in [&mine, &other] {
        assert_eq!(atspec(&["pki", "init", d.to_str().unwrap()]).code, 0);
    }
    let mut procs = Procs(Vec::new());

    // A device reached only through its pty, provisioned with `board_pki`, certified with the
    // harness holding `mine`.
    let mut run_with = |tag: &str, board_pki: &std::path::Path| {
        let pty = board_pty_with(&mut procs, &["--pki", board_pki.to_str().unwrap()]);
        let device = format!("serial:{pty}");
        certify(
            tag,
            &[
                "--device",
                &device,
                "--pki",
                mine.to_str().unwrap(),
                "--cases",
                "0",
            ],
        )
    };

    // The device holds the harness's CA and client identity: nothing is skipped, all pass,
    // and a serial device with a provisioned PKI is CONFORMANT on complete evidence.
    let (run, report) = run_with("pki-mine", &mine);
    common::assert_conformant_but_timing(&run, &report);
    for c in TRUST_CHECKS {
        assert_eq!(verdict(&report, c), "pass", "{c}");
    }

    // A device provisioned with another PKI does not trust the fronts: the trust checks fail.
    let (run, report) = run_with("pki-other", &other);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdict(&report, "httpcfg.verify_modes"), "fail");
    assert_eq!(verdict(&report, "httpcfg.client_cert"), "fail");
}

#[test]
fn a_missing_pki_is_a_setup_error_that_says_how_to_make_one() {
    let dir = tempdir("pki-missing");
    let r = atspec(&["certify", "--pki", dir.to_str().unwrap(), "--cases", "0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("ca.crt"), "{}", r.stderr);
    assert!(r.stderr.contains("atspec pki init"), "{}", r.stderr);
}

/// `pki init` writes keys 0600 at creation (whatever the umask), refuses any file already
/// there (not only the CA), and never writes through a link: `--force` replaces the link and
/// leaves what it pointed at alone.
#[test]
fn init_keeps_keys_private_and_never_follows_links() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempdir("pki-hostile");
    let dir = root.join("pki");
    std::fs::create_dir_all(&dir).unwrap();
    let victim = root.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("client.0.key.pem")).unwrap();
    // Under umask 000 as well.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec '{}' pki init '{}'",
            env!("CARGO_BIN_EXE_atspec"),
            dir.display()
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the link is an existing file");
    assert!(String::from_utf8_lossy(&out.stderr).contains("client.0.key.pem"));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec '{}' pki init --force '{}'",
            env!("CARGO_BIN_EXE_atspec"),
            dir.display()
        ))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let link = std::fs::symlink_metadata(dir.join("client.0.key.pem")).unwrap();
    assert!(!link.file_type().is_symlink());
    for (f, mode) in [
        ("ca.key", 0o600),
        ("client.key", 0o600),
        ("client.0.key.pem", 0o600),
        ("ca.crt", 0o644),
    ] {
        let m = std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(m, mode, "{f}");
    }
}
