//! The rendered reference: an insta snapshot of the Markdown, and a drift test that fails when
//! the committed docs/reference.md no longer matches the spec.

mod common;

use atspec_spec::doc::{self, Format};

fn spec() -> atspec_spec::Spec {
    atspec_spec::load(common::spec_path()).expect("spec lints clean")
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("reference", doc::render(&spec(), Format::Markdown));
}

#[test]
fn committed_reference_matches_the_spec() {
    let path = common::root().join("docs/reference.md");
    let fresh = doc::render(&spec(), Format::Markdown);
    if std::env::var_os("ATSPEC_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/reference.md is out of date with spec/esp-at-http.yaml; regenerate it with\n  \
         cargo run -p atspec -- spec doc spec/esp-at-http.yaml -o docs/reference.md"
    );
}

#[test]
fn reference_covers_every_command_clause_and_code() {
    let s = spec();
    let md = doc::render(&s, Format::Markdown);
    for c in &s.commands {
        assert!(
            md.contains(&format!("### {}<a id=", c.name.value.replace('_', "\\_"))),
            "{}",
            c.name.value
        );
    }
    for c in &s.clauses {
        let shown = c.id.value.replace('_', "\\_");
        assert!(
            md.contains(&format!("#### {shown}<a id=")),
            "clause {} not rendered",
            c.id.value
        );
    }
    for code in &s.error_codes.codes {
        assert!(
            md.contains(&format!("`{}`", code.name.value)),
            "{}",
            code.name.value
        );
    }
    assert!(
        md.contains("`0x010a7194`"),
        "404's code missing from the status table"
    );
}

#[test]
fn html_is_one_self_contained_page() {
    let s = spec();
    let html = doc::render(&s, Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        !html.contains("<script"),
        "the page must work offline, without scripts"
    );
    assert!(!html.contains("http-equiv"));
    assert_eq!(
        html.matches("<table>").count(),
        html.matches("</table>").count()
    );
    for c in &s.clauses {
        let id = format!(
            "id=\"{}\"",
            c.id.value.to_lowercase().replace(['.', '_'], "-")
        );
        assert!(html.contains(&id), "clause {} has no anchor", c.id.value);
    }
    // Raw bytes are shown escaped, never written as control characters.
    assert!(html.contains("<code>\\r\\nOK\\r\\n\\r\\n&gt;</code>"));
}
