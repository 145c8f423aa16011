//! The firmware on bare metal: `firmware/bare/` is built for riscv32imc with Debian's toolchain
//! and certified in QEMU's `virt` machine by the same harness, every clause and 200 fuzzed
//! sequences (`--device qemu:IMAGE`). Without the tools the test says SKIPPED; in CI (which
//! installs them, see .ci/run) that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{certify, clauses_with};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tools_present() -> bool {
    let ok = |p: &str, arg: &str| {
        Command::new(p)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let present = ok("/usr/bin/rustc", "--version")
        && ok("/usr/bin/cargo", "--version")
        && Path::new("/usr/lib/rustlib/src/rust/library/core").is_dir()
        && ok("ld.lld", "--version")
        && ok("qemu-system-riscv32", "--version");
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "the bare-metal toolchain or QEMU is missing, and CI is set: .ci/run must install them"
        );
        eprintln!(
            "SKIPPED: rustc-web, cargo-web, rust-web-src, lld or qemu-system-misc is not installed (ci/bare-metal.sh installs them)"
        );
    }
    present
}

/// Builds the image as ci/bare-metal.sh does, with none of the host cargo's settings.
fn build_image() -> PathBuf {
    let dir = root().join("firmware/bare");
    let mut cmd = Command::new("/usr/bin/cargo");
    cmd.current_dir(&dir)
        .args(["build", "--release", "--locked", "--ignore-rust-version"])
        .env("RUSTC_BOOTSTRAP", "1");
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CARGO") && k != "CARGO_HOME"
            || matches!(
                k.as_str(),
                "RUSTC" | "RUSTC_WRAPPER" | "RUSTFLAGS" | "RUSTDOCFLAGS" | "RUSTUP_TOOLCHAIN"
            )
        {
            cmd.env_remove(k);
        }
    }
    let out = cmd.output().expect("run /usr/bin/cargo");
    assert!(
        out.status.success(),
        "building firmware/bare failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("target/riscv32imc-unknown-none-elf/release/atspec-bare")
}

#[test]
fn the_riscv32imc_image_passes_every_applicable_clause_in_qemu() {
    if !tools_present() {
        return;
    }
    let image = build_image();
    let profile = root().join("firmware/bare/device-profile.yaml");
    let device = format!("qemu:{}", image.display());
    let (run, report) = certify(
        "bare-metal",
        &[
            "--device",
            &device,
            "--device-profile",
            profile.to_str().unwrap(),
            "--cases",
            "200",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["conformant"], true);
    assert!(clauses_with(&report, "fail").is_empty());
    assert!(clauses_with(&report, "hung").is_empty());
    assert_eq!(report["fuzz"]["cases"], 200);
    assert!(report["fuzz"]["failure"].is_null(), "{}", report["fuzz"]);
    assert_eq!(report["fuzz"]["sequences"], 200);
    // The image's identity: its sections, the engine's static RAM and the boot time.
    let fw = &report["device"]["firmware"];
    assert!(fw["size"]["text"].as_u64().unwrap() > 10_000, "{fw}");
    let engine = fw["size"]["engine"].as_u64().unwrap();
    assert!(
        engine > 20_000 && engine < fw["static_ram"].as_u64().unwrap(),
        "{fw}"
    );
    assert!(fw["boot_ms"].as_u64().is_some(), "{fw}");
    assert!(run.stdout.contains("image:  "), "{}", run.stdout);
    // No TLS in the image: its TLS checks are not applicable, with the reason, never passed.
    let checks = report["checks"].as_array().unwrap();
    let tls = checks
        .iter()
        .find(|c| c["name"] == "httpcfg.verify_modes")
        .unwrap();
    assert!(
        tls["verdict"]["why"]
            .as_str()
            .unwrap()
            .contains("not applicable: the device profile declares no TLS"),
        "{tls}"
    );
    assert!(!clauses_with(&report, "pass").contains(&"HTTPCFG.VERIFY.MODES_2_3".to_string()));
    // Everything else passed.
    let passed = clauses_with(&report, "pass").len();
    assert!(passed >= 160, "{passed} clauses passed");
}

#[test]
fn a_missing_image_is_a_setup_error() {
    let r = common::atspec(&[
        "certify",
        "--device",
        "qemu:/no/such/image.elf",
        "--cases",
        "0",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("/no/such/image.elf"), "{}", r.stderr);
}
