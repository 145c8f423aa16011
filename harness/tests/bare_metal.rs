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

/// The images, built (and the ESP32-C3 one packed) by `ci/bare-metal.sh --build-only`: the
/// same script CI and a developer run, once per test binary. `None`: the ESP32-C3 image was not
/// built (no Espressif QEMU).
struct Images {
    virt: PathBuf,
    esp32c3: Option<PathBuf>,
}

fn images() -> &'static Images {
    static IMAGES: std::sync::OnceLock<Images> = std::sync::OnceLock::new();
    IMAGES.get_or_init(|| {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("ci/bare-metal.sh")).arg("--build-only");
        // None of the host cargo's settings reach Debian's toolchain.
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
        let out = cmd.output().expect("run ci/bare-metal.sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The compiler the images were built with, in the test's own output.
        for line in stdout.lines().filter(|l| l.starts_with("== toolchain")) {
            eprintln!("{line}");
        }
        assert!(
            out.status.success(),
            "ci/bare-metal.sh --build-only failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let image = |name: &str| {
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(&format!("image {name}: ")))
                .map(PathBuf::from)
        };
        Images {
            virt: image("virt").expect("the virt image's path"),
            esp32c3: image("esp32c3"),
        }
    })
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
        .args(["--cases", "100"])
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
    let image = &images().virt;
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
    let Some(image) = images().esp32c3.as_ref() else {
        panic!("ci/bare-metal.sh built no ESP32-C3 image although {qemu:?} is there");
    };
    certify_image(
        "bare-esp32c3",
        &format!("qemu-esp32c3:{}", image.display()),
        &[("ATSPEC_QEMU_ESP32C3", qemu.to_str().unwrap())],
    );
}

/// What both images' reports must show.
fn judge(report: &serde_json::Value, stdout: &str) {
    // No TLS: CONFORMANT to class http, on complete evidence, its class exercised (the https
    // request of `tls.class` fails as a device without TLS must).
    assert_eq!(report["conformant"], true);
    assert_eq!(report["verdict"], "conformant", "{stdout}");
    assert_eq!(report["class"], "http");
    assert_eq!(report["unproved"], serde_json::json!([]), "{stdout}");
    assert!(
        clauses_with(report, "pass").contains(&"CONFORMANCE.CLASS.HTTPS".to_string()),
        "{stdout}"
    );
    assert!(
        stdout.contains("CONFORMANT to the contract, class http"),
        "{stdout}"
    );
    assert!(clauses_with(report, "fail").is_empty());
    assert!(clauses_with(report, "hung").is_empty());
    assert_eq!(report["fuzz"]["cases"], 100);
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

/// `firmware/bare/tools/rustc-backports.sh` turns the post-1.85 features on for a compiler
/// older than 1.88 only, and is a plain pass-through on newer ones and for the sysroot's own
/// crates: the image builds on whatever rustc-web Debian serves. A stand-in `rustc` prints the
/// version it is told to and the arguments it got.
#[test]
fn the_rustc_wrapper_adapts_to_the_compiler_version() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::tempdir("rustc-wrapper");
    let fake = dir.join("rustc");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo \"rustc $FAKE_VERSION (stand-in)\"; exit 0; fi\necho \"args: $*\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let wrapper = root().join("firmware/bare/tools/rustc-backports.sh");
    let run = |version: &str, args: &[&str]| {
        let out = Command::new("sh")
            .arg(&wrapper)
            .arg(&fake)
            .args(args)
            .env("FAKE_VERSION", version)
            .output()
            .expect("run the wrapper");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let crate_args = ["--crate-name", "serde_saphyr", "src/lib.rs"];
    let old = run("1.85.0", &crate_args);
    assert!(old.contains("-Zcrate-attr=feature(let_chains)"), "{old}");
    assert!(
        old.contains("-Zcrate-attr=feature(slice_as_chunks)"),
        "{old}"
    );
    assert!(
        old.starts_with("args: --crate-name serde_saphyr src/lib.rs "),
        "{old}"
    );
    for version in [
        "1.88.0",
        "1.96.0",
        "1.100.2",
        "2.0.0-nightly",
        "unparseable",
    ] {
        let new = run(version, &crate_args);
        assert_eq!(
            new, "args: --crate-name serde_saphyr src/lib.rs\n",
            "{version}"
        );
    }
    // The sysroot's crates (built by -Zbuild-std) are never given the attributes.
    let sysroot = run(
        "1.85.0",
        &["/usr/lib/rustlib/src/rust/library/core/src/lib.rs"],
    );
    assert!(!sysroot.contains("-Zcrate-attr"), "{sysroot}");
}
