//! The CLI documents itself from its own definition: help grouped under headings and wrapped
//! to the terminal, shell completions, man pages.

mod common;

use common::{atspec, tempdir};

#[test]
fn help_is_grouped_and_wrapped_to_the_terminal() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(["certify", "--help"])
        .env("COLUMNS", "72")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for heading in [
        "Device:",
        "Mock peer and TLS:",
        "Evidence:",
        "Fuzzing:",
        "Farm:",
        "Reports:",
    ] {
        assert!(help.lines().any(|l| l == heading), "{heading}\n{help}");
    }
    // Wrapped at the width asked for, never mid-word.
    assert!(help.lines().all(|l| l.chars().count() <= 72), "{help}");
    // Every option names its environment variable.
    assert!(help.contains("[env: ATSPEC_MOCK_BIND="), "{help}");
}

#[test]
fn completions_and_man_pages_come_from_the_parser() {
    let bash = atspec(&["completions", "bash"]);
    assert_eq!(bash.code, 0);
    assert!(bash.stdout.contains("_atspec()") && bash.stdout.contains("--mock-bind"));
    let fish = atspec(&["completions", "fish"]);
    assert!(
        fish.stdout.contains("complete -c atspec"),
        "{}",
        fish.stdout
    );
    let dir = tempdir("man");
    let r = atspec(&["man", "-o", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(dir.join("atspec-certify.1")).unwrap();
    assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
    assert!(page.contains("mock\\-bind"), "{page}");
    assert!(dir.join("atspec.1").is_file());
}
