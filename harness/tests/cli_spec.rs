//! `atspec spec …` end to end: the real binary, real files, exit codes and output.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn atspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atspec"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run atspec")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn lint_accepts_the_real_spec_with_a_one_line_summary() {
    let out = atspec(&["spec", "lint", "spec/esp-at-http.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("spec/esp-at-http.yaml: ok — 8 HTTP commands, 6 base commands, "),
        "{stdout}"
    );
    assert!(stdout.contains(" clauses, 6 error codes (+24 documented HTTP statuses)"));
}

#[test]
fn lint_lists_every_error_with_position_and_exits_1() {
    let out = atspec(&["spec", "lint", "fixtures/spec/broken-many-errors.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let located: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("fixtures/spec/broken-many-errors.yaml:"))
        .collect();
    assert_eq!(located.len(), 5, "{stderr}");
    assert!(located[0].starts_with("fixtures/spec/broken-many-errors.yaml:14:16: error: "));
    assert!(stderr.trim_end().ends_with("5 errors"), "{stderr}");
}

#[test]
fn lint_of_a_missing_file_names_it() {
    let out = atspec(&["spec", "lint", "fixtures/spec/absent.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("absent.yaml:0:0: error: cannot read the spec"));
}

/// A device node or FIFO given as the spec is refused before it is read (`/dev/zero` once
/// grew the process to 8.7 GB).
#[test]
fn lint_refuses_what_is_not_a_regular_file() {
    let out = atspec(&["spec", "lint", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("/dev/zero:0:0: error: the spec must be a regular file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn doc_prints_the_committed_reference() {
    let out = atspec(&["spec", "doc", "spec/esp-at-http.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(root().join("docs/reference.md")).unwrap();
    assert_eq!(text(&out.stdout), committed);
}

#[test]
fn doc_writes_html_to_a_file() {
    let dir = std::env::temp_dir().join(format!("atspec-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("reference.html");
    let out = atspec(&[
        "spec",
        "doc",
        "spec/esp-at-http.yaml",
        "--format",
        "html",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h3 id=\"at-httpclient\">AT+HTTPCLIENT</h3>"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn diff_of_a_spec_with_itself_is_clean() {
    let out = atspec(&[
        "spec",
        "diff",
        "spec/esp-at-http.yaml",
        "spec/esp-at-http.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("no changes"));
}

#[test]
fn diff_exits_1_on_a_breaking_change_and_0_on_a_compatible_one() {
    let dir = std::env::temp_dir().join(format!("atspec-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = std::fs::read_to_string(root().join("spec/esp-at-http.yaml")).unwrap();
    let narrowed = dir.join("narrowed.yaml");
    std::fs::write(
        &narrowed,
        spec.replacen("      range: [8, 8192]", "      range: [8, 4096]", 1),
    )
    .unwrap();
    let widened = dir.join("widened.yaml");
    std::fs::write(
        &widened,
        spec.replacen("      range: [8, 8192]", "      range: [8, 16384]", 1),
    )
    .unwrap();

    let out = atspec(&[
        "spec",
        "diff",
        "spec/esp-at-http.yaml",
        narrowed.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("BREAKING"), "{stdout}");
    assert!(
        stdout.contains("range narrowed: limit url_length"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 change: 1 breaking (0 for firmware, 1 for hosts), 0 compatible"),
        "{stdout}"
    );

    // Where the change sits on both sides, and what "firmware" means.
    let line = spec
        .lines()
        .position(|l| l.contains("name: url_length"))
        .unwrap()
        + 1;
    let here = format!(
        "spec/esp-at-http.yaml:{line} → {}:{line}",
        narrowed.display()
    );
    assert!(stdout.contains(&here), "{stdout}");
    assert!(
        stdout.contains("firmware: firmware built on the parser and dispatcher atspec generates"),
        "{stdout}"
    );
    for (format, want) in [
        ("markdown", "| ❌ | range narrowed | `limit url_length`"),
        ("json", "\"breaking\": true"),
    ] {
        let out = atspec(&[
            "spec",
            "diff",
            "--format",
            format,
            "spec/esp-at-http.yaml",
            narrowed.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        let o = text(&out.stdout);
        assert!(o.contains(want), "{format}: {o}");
        assert!(
            o.contains(&format!("spec/esp-at-http.yaml:{line}")),
            "{format}: {o}"
        );
    }
    let out = atspec(&[
        "spec",
        "diff",
        "--format",
        "json",
        "spec/esp-at-http.yaml",
        narrowed.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["changes"][0]["host"], "breaking");
    assert_eq!(v["changes"][0]["firmware"], "compatible");
    assert_eq!(v["breaking"], 1);

    let out = atspec(&[
        "spec",
        "diff",
        "spec/esp-at-http.yaml",
        widened.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("range widened: limit url_length"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn diff_with_an_invalid_spec_exits_2() {
    let out = atspec(&[
        "spec",
        "diff",
        "spec/esp-at-http.yaml",
        "fixtures/spec/broken-syntax.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("broken-syntax.yaml:64:13: error: unclosed quote"));
}

#[test]
fn expand_prints_both_sides_as_rust() {
    let dev = atspec(&[
        "spec",
        "expand",
        "spec/esp-at-http.yaml",
        "--side",
        "device",
    ]);
    assert_eq!(dev.status.code(), Some(0), "{}", text(&dev.stderr));
    let dev = text(&dev.stdout);
    assert!(dev.contains("pub trait Handler {"));
    assert!(dev.contains("fn http_client(&mut self, cmd: &HttpClient<'_>) -> Self::Output;"));
    let host = atspec(&["spec", "expand", "spec/esp-at-http.yaml", "--side", "host"]);
    assert_eq!(host.status.code(), Some(0));
    assert!(text(&host.stdout).contains("pub fn encode(cmd: &Command) -> ::std::vec::Vec<u8>"));
    let bad = atspec(&["spec", "expand", "fixtures/spec/broken-syntax.yaml"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("broken-syntax.yaml:64:13"));
}
