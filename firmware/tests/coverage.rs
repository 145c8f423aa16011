//! Every clause of the spec is proved by a test: an engine test that marks it with
//! `proves!(…)` (or a `run(Clause, rows)` table of `clauses.rs`) and asserts something, or —
//! where the engine only hands the work to the board (TLS verification) — a board test named
//! in [`ELSEWHERE`]. Comments and tag lists do not count. A clause added to the spec without a
//! proving test fails here, naming the clause.

use std::collections::{BTreeMap, BTreeSet};

use atspec_firmware::device::Clause;

const SOURCES: [(&str, &str); 6] = [
    ("clauses.rs", include_str!("clauses.rs")),
    ("framing.rs", include_str!("framing.rs")),
    ("http.rs", include_str!("http.rs")),
    ("more_clauses.rs", include_str!("more_clauses.rs")),
    ("robustness.rs", include_str!("robustness.rs")),
    ("variants.rs", include_str!("variants.rs")),
];

/// Clauses whose behaviour lives in the board, with the board test that proves each: the
/// engine only passes the setting on (its own part is proved by `proves!` too, where it has
/// one).
const ELSEWHERE: &[(&str, &str, &str)] = &[
    (
        "HTTPCFG.VERIFY.NO_HOSTNAME",
        "firmware/board/tests/tls.rs",
        "mode_2_verifies_the_chain_but_not_the_name",
    ),
    // The class is the board's: whether it has a TLS stack. (Its other side, a device without
    // TLS failing the request, is the bare-metal image's, certified in harness/tests.)
    (
        "CONFORMANCE.CLASS.HTTPS",
        "firmware/board/tests/tls.rs",
        "mode_0_does_not_verify_the_server",
    ),
];

/// `#[test]` functions of a file: name → body text.
fn tests(src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let parts: Vec<&str> = src.split("#[test]").collect();
    for part in &parts[1..] {
        let Some(at) = part.find("fn ") else { continue };
        let name: String = part[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        out.push((name, part[at..].to_string()));
    }
    out
}

/// The clause variants a test body marks as proved.
fn marked(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in body.match_indices("proves!(") {
        let args = &body[i + 8..];
        let end = args.find(')').unwrap_or(args.len());
        out.extend(
            args[..end]
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
        );
    }
    // `run(FramingLineEmpty, &[…])`: rows that `run` asserts one by one.
    for (i, _) in body.match_indices("run(") {
        if let Some(name) = leading_variant(&body[i + 4..]) {
            out.push(name);
        }
    }
    // A `&[(Clause, &[Step])]` table: each `(Variant, rows)` entry, asserted by the loop.
    if body.contains("(Clause, &[") {
        for (i, _) in body.match_indices('(') {
            let rest = &body[i + 1..];
            if let Some(name) = leading_variant(rest)
                && name != "Clause"
                && rest.trim_start()[name.len()..].starts_with(',')
            {
                out.push(name);
            }
        }
    }
    out
}

/// An upper-case identifier at the start of `s` (after white space): a `Clause` variant.
fn leading_variant(s: &str) -> Option<String> {
    let name: String = s
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
        .then_some(name)
}

#[test]
fn every_clause_is_proved_by_a_test_that_asserts() {
    let known: BTreeMap<String, Clause> =
        Clause::ALL.iter().map(|c| (format!("{c:?}"), *c)).collect();
    let mut proved: BTreeSet<String> = BTreeSet::new();
    for (file, src) in SOURCES {
        for (name, body) in tests(src) {
            let marks = marked(&body);
            if marks.is_empty() {
                continue;
            }
            // `run` and `uart` assert every row they are given.
            assert!(
                ["assert", "run(", "uart("].iter().any(|a| body.contains(a)),
                "{file}: {name} marks {marks:?} as proved but asserts nothing"
            );
            for m in marks {
                // Table rows may hold other upper-case names (`Some`, types); `proves!`
                // arguments are checked by the compiler.
                if known.contains_key(&m) {
                    proved.insert(m);
                }
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (id, path, test) in ELSEWHERE {
        let clause = Clause::from_id(id).unwrap_or_else(|| panic!("unknown clause {id}"));
        let src = std::fs::read_to_string(root.join(path)).unwrap();
        let body = tests(&src)
            .into_iter()
            .find(|(n, _)| n == test)
            .unwrap_or_else(|| panic!("{path} has no test {test}"))
            .1;
        assert!(
            body.contains(id) && body.contains("assert"),
            "{path}: {test} must assert {id}"
        );
        proved.insert(format!("{clause:?}"));
    }
    let missing: Vec<&str> = Clause::ALL
        .iter()
        .filter(|c| !proved.contains(&format!("{c:?}")))
        .map(|c| c.id())
        .collect();
    assert!(missing.is_empty(), "clauses no test proves: {missing:?}");
}

#[test]
fn the_reader_sees_marks_and_not_comments() {
    let src = "#[test]\nfn a() {\n    // proves nothing: Clause::BaseAtOk\n    assert!(true);\n    proves!(EchoSwitch, BaseRstReady);\n}\n#[test]\nfn b() {\n    run(\n        FramingLineEmpty, &[]);\n}\n#[test]\nfn c() {\n    let rows: &[(Clause, &[Step])] = &[(ResultOkBytes, &[])];\n    let _ = Clause::BaseAtOk;\n}\n";
    let t = tests(src);
    assert_eq!(t.len(), 3);
    assert_eq!(marked(&t[0].1), ["EchoSwitch", "BaseRstReady"]);
    assert_eq!(marked(&t[1].1), ["FramingLineEmpty"]);
    assert_eq!(marked(&t[2].1), ["ResultOkBytes"]);
}
