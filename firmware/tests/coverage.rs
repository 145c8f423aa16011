//! Every clause of the spec is named by at least one engine test (a row or an assertion block
//! in `clauses.rs`, `http.rs` or `more_clauses.rs`). A clause added to the spec without a test
//! that drives it fails here, naming the clause.

use atspec_firmware::device::Clause;

const SOURCES: [&str; 6] = [
    include_str!("clauses.rs"),
    include_str!("framing.rs"),
    include_str!("http.rs"),
    include_str!("more_clauses.rs"),
    include_str!("robustness.rs"),
    include_str!("variants.rs"),
];

#[test]
fn every_clause_has_an_engine_test() {
    let missing: Vec<&str> = Clause::ALL
        .iter()
        .filter(|c| {
            let name = format!("{c:?}");
            !SOURCES.iter().any(|s| {
                s.match_indices(&name).any(|(i, _)| {
                    // A whole identifier, not a prefix of a longer variant name.
                    let after = s[i + name.len()..].chars().next();
                    !after.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                })
            })
        })
        .map(|c| c.id())
        .collect();
    assert!(
        missing.is_empty(),
        "clauses without an engine test: {missing:?}"
    );
}
