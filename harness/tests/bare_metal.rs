//! The firmware on bare metal: `firmware/bare/` is built for riscv32imc with Debian's toolchain
//! and certified in QEMU's `virt` machine by the same harness, every clause and 200 fuzzed
//! sequences (`--device qemu:IMAGE`); its ESP32-C3 flavour, packed with esptool and booted by
//! the chip's ROM in Espressif's QEMU, likewise (`--device qemu-esp32c3:IMAGE`) wherever that
//! QEMU is (`ATSPEC_QEMU_ESP32C3`, or `../shared/tools/qemu-esp32c3/`). Without the tools the
//! tests say SKIPPED; in CI (which installs them, see .ci/run) that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::clauses_with;

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

/// Builds the image as ci/bare-metal.sh does, with none of the host cargo's settings;
/// `flavour` is extra cargo arguments (the ESP32-C3 feature and its target dir).
fn build_image(flavour: &[&str], target: &str) -> PathBuf {
    // One build at a time: the flavours' target dirs nest, and two cargos creating them at
    // once race.
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("firmware/bare");
    let mut cmd = Command::new("/usr/bin/cargo");
    cmd.current_dir(&dir)
        .args(["build", "--release", "--locked", "--ignore-rust-version"])
        .args(flavour)
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
    dir.join(target)
        .join("riscv32imc-unknown-none-elf/release/atspec-bare")
}

/// Certifies `device` (every clause and 200 fuzzed sequences) and checks the report.
fn certify_image(tag: &str, device: &str, env: &[(&str, &str)]) {
    let profile = root().join("firmware/bare/device-profile.yaml");
    let dir = common::tempdir(tag);
    let json = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(["certify", "--quiet", "--json"])
        .arg(&json)
        .args(["--device", device, "--device-profile"])
        .arg(&profile)
        .args(["--cases", "200"])
        .envs(env.iter().copied())
        .output()
        .expect("run atspec");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_default())
            .unwrap_or(serde_json::Value::Null);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    judge(&report, &stdout);
}

#[test]
fn the_riscv32imc_image_passes_every_applicable_clause_in_qemu() {
    if !tools_present() {
        return;
    }
    let image = build_image(&[], "target");
    certify_image("bare-virt", &format!("qemu:{}", image.display()), &[]);
}

/// Espressif's QEMU: `ATSPEC_QEMU_ESP32C3`, else the shared tools folder beside the project.
fn esp32c3_qemu() -> Option<PathBuf> {
    std::env::var_os("ATSPEC_QEMU_ESP32C3")
        .map(PathBuf::from)
        .or_else(|| {
            let shared = root().join("../shared/tools/qemu-esp32c3/qemu-system-riscv32");
            shared.is_file().then_some(shared)
        })
}

/// esptool from PyPI, as ci/bare-metal.sh and .ci/run install it.
fn esptool() -> Option<PathBuf> {
    std::env::var_os("ATSPEC_ESPTOOL")
        .map(PathBuf::from)
        .or_else(|| Some(root().join("target/esptool-venv/bin/esptool")))
        .filter(|p| p.is_file())
}

#[test]
fn the_esp32c3_image_boots_from_the_mask_rom_and_passes_every_applicable_clause() {
    let Some(qemu) = esp32c3_qemu() else {
        eprintln!(
            "SKIPPED: no Espressif QEMU (set ATSPEC_QEMU_ESP32C3, or provide ../shared/tools/qemu-esp32c3/)"
        );
        return;
    };
    if !tools_present() {
        return;
    }
    let Some(esptool) = esptool() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "esptool is missing, and CI is set: .ci/run must install it"
        );
        eprintln!("SKIPPED: esptool is not installed (ci/bare-metal.sh installs it)");
        return;
    };
    let image = build_image(
        &["--features", "esp32c3", "--target-dir", "target/esp32c3"],
        "target/esp32c3",
    );
    let bin = image.with_extension("bin");
    let flash = PathBuf::from(format!("{}.flash.bin", image.display()));
    for args in [
        vec![
            "--chip",
            "esp32c3",
            "elf2image",
            "--output",
            bin.to_str().unwrap(),
            image.to_str().unwrap(),
        ],
        vec![
            "--chip",
            "esp32c3",
            "merge-bin",
            "--fill-flash-size",
            "4MB",
            "-o",
            flash.to_str().unwrap(),
            "0x0",
            bin.to_str().unwrap(),
        ],
    ] {
        let out = Command::new(&esptool)
            .args(&args)
            .output()
            .expect("run esptool");
        assert!(
            out.status.success(),
            "esptool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    certify_image(
        "bare-esp32c3",
        &format!("qemu-esp32c3:{}", image.display()),
        &[("ATSPEC_QEMU_ESP32C3", qemu.to_str().unwrap())],
    );
}

/// What both images' reports must show.
fn judge(report: &serde_json::Value, stdout: &str) {
    assert_eq!(report["conformant"], true);
    assert!(clauses_with(report, "fail").is_empty());
    assert!(clauses_with(report, "hung").is_empty());
    assert_eq!(report["fuzz"]["cases"], 200);
    assert!(report["fuzz"]["failure"].is_null(), "{}", report["fuzz"]);
    // The image's identity: its sections, the engine's static RAM and the boot time.
    let fw = &report["device"]["firmware"];
    assert!(fw["size"]["text"].as_u64().unwrap() > 10_000, "{fw}");
    let engine = fw["size"]["engine"].as_u64().unwrap();
    assert!(
        engine > 20_000 && engine < fw["static_ram"].as_u64().unwrap(),
        "{fw}"
    );
    assert!(fw["boot_ms"].as_u64().is_some(), "{fw}");
    assert!(stdout.contains("image:  "), "{stdout}");
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
    assert!(!clauses_with(report, "pass").contains(&"HTTPCFG.VERIFY.MODES_2_3".to_string()));
    // Everything else passed.
    let passed = clauses_with(report, "pass").len();
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
