//! A transcript as one canonical line: what the same seed must reproduce byte for byte.

use std::collections::BTreeMap;

use crate::oracle::compare;
use crate::world::transcript::Transcript;

/// A transcript as one canonical JSON line, for comparing runs: mock addresses replaced by
/// endpoint names (ports differ per run), actual output with body pieces merged (piece sizes
/// follow timing, not the seed), HTTP dates replaced by `{date}` (the wall clock).
pub fn canonical_line(t: &Transcript, urls: &BTreeMap<String, String>) -> String {
    let records: Vec<serde_json::Value> = t
        .records
        .iter()
        .map(|r| {
            serde_json::json!({
                "step": r.step,
                "expected": crate::bytes::escape(&compare::merge_pieces(&r.expected.0)),
                "actual": crate::bytes::escape(&compare::merge_pieces(&r.actual.0)),
                "requests": r.seen_requests,
                "mismatch": r.mismatch,
            })
        })
        .collect();
    let mut line = serde_json::json!({
        "verdict": t.verdict,
        "records": records,
    })
    .to_string();
    for (name, url) in urls {
        let authority = url.split("://").nth(1).unwrap_or(url);
        line = line.replace(authority, &format!("{{{name}}}"));
    }
    // wiremock stamps responses with the wall clock (a HEAD answer prints it).
    static DATE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let date = DATE.get_or_init(|| {
        regex::Regex::new(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")
            .expect("a valid pattern")
    });
    date.replace_all(&line, "{date}").into_owned()
}
