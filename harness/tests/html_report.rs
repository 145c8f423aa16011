//! The HTML report in a real browser (Debian's `chromium`, headless, after its script ran)
//! and through an HTML5 tokenizer: a failing and a passing report each show the verdict
//! banner, what failed before the clause table, and the charts; every `href="#…"` has its
//! target; the UART log links resolve from wherever the page is; the browser logs no error.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{certify, tempdir};

/// Debian's chromium, or why the test cannot run (a failure under CI, where `.ci/run`
/// installs it).
fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing: install Debian's `chromium` (.ci/run does)"
        );
        eprintln!("SKIPPED: no chromium (install Debian's `chromium`)");
    }
    found
}

/// The DOM after the page's script ran, and what the browser logged.
fn browse(chromium: &Path, page: &Path) -> (String, String) {
    let profile = tempdir("chromium-profile");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium: {:?}", out.status);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every `id` and every `href` of the page, read by an HTML5 tokenizer; the tokenizer's
/// errors fail the test.
fn ids_and_links(html: &str) -> (Vec<String>, Vec<String>) {
    use html5gum::{Token, Tokenizer};
    let (mut ids, mut hrefs) = (Vec::new(), Vec::new());
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::StartTag(tag) => {
                let attr = |name: &[u8]| {
                    tag.attributes
                        .get(name)
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                };
                if let Some(id) = attr(b"id") {
                    ids.push(id);
                }
                if let Some(h) = attr(b"href") {
                    hrefs.push(h);
                }
            }
            Token::Error(e) => panic!("HTML5 tokenizer error: {:?}", e.value),
            _ => {}
        }
    }
    (ids, hrefs)
}

fn check_page(chromium: &Path, page: &Path, failing: bool) {
    let html = std::fs::read_to_string(page).unwrap();
    let (ids, hrefs) = ids_and_links(&html);
    // Ids are unique and every internal link has its target.
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate ids");
    for h in &hrefs {
        if let Some(frag) = h.strip_prefix('#') {
            assert!(ids.iter().any(|i| i == frag), "no target for {h}");
        } else {
            // A file beside the report: it exists, relative to the page.
            assert!(!h.contains(':'), "{h}");
            let target = page.parent().unwrap().join(h);
            assert!(target.is_file(), "{h} -> {}", target.display());
        }
    }
    let (dom, log) = browse(chromium, page);
    assert!(dom.contains("id=\"verdict\""), "no banner");
    let banner = if failing { "banner bad" } else { "banner ok" };
    assert!(dom.contains(banner), "{banner}");
    // The script ran: it shows the filter it hides for pages read without scripts.
    assert!(
        dom.contains("<nav class=\"filter\" id=\"filter\">"),
        "the filter script did not run"
    );
    for chart in ["chart-groups", "chart-matrix", "chart-timeline"] {
        assert!(dom.contains(&format!("id=\"{chart}\"")), "{chart}");
    }
    let clauses = dom.find("id=\"clauses\"").expect("clause table");
    match dom.find("id=\"failed\"") {
        Some(failed) => {
            assert!(failing, "a passing report lists failures");
            assert!(failed < clauses, "failures come before the clause table");
            assert!(dom.contains("<mark>"), "the first differing byte is marked");
        }
        None => assert!(!failing, "a failing report lists no failures"),
    }
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(errors.is_empty(), "console: {errors:?}");
}

#[test]
fn failing_and_passing_reports_render_in_a_browser() {
    let Some(chromium) = chromium() else { return };
    let dir = tempdir("html-browser");
    // The UART logs elsewhere than the page: links must still resolve.
    let logs = dir.join("logs");
    let pages = dir.join("pages");
    let failing = pages.join("failing.html");
    let (run, _) = certify(
        "html-failing",
        &[
            "--mutant",
            "no-syslog",
            "--clause",
            "SYSLOG.*",
            "--clause",
            "ERRCODE.FORMAT",
            "--html",
            failing.to_str().unwrap(),
            "--logs",
            logs.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    check_page(&chromium, &failing, true);
    // A certificate: every check, the timing ones too, and some fuzzing.
    let passing = pages.join("passing.html");
    let (run, _) = common::certify_timed(
        "html-passing",
        &[
            "--cases",
            "1",
            "--html",
            passing.to_str().unwrap(),
            "--logs",
            logs.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    check_page(&chromium, &passing, false);
}
