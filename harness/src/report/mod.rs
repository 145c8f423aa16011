//! The certification report: one model rendered to the terminal, JSON, JUnit and HTML.

pub mod html;
pub mod junit;
pub mod terminal;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::device::Identity;
use crate::runner::{Transcript, Verdict};
use crate::syntax::host;

/// `ID (source)` for each clause id, as verdicts cite them.
pub fn cite(ids: &[String]) -> String {
    ids.iter()
        .map(|id| match host::CLAUSES.iter().find(|c| c.id == id) {
            Some(c) => format!("{id} ({})", c.source),
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One check as run.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Name.
    pub name: String,
    /// Clauses.
    pub clauses: Vec<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// Wall time in milliseconds.
    pub ms: u64,
    /// The transcript (kept for every check that did not pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Transcript>,
}

/// One clause's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseResult {
    /// Id.
    pub id: String,
    /// Group (the id's first part).
    pub group: String,
    /// Statement.
    pub statement: String,
    /// Source citation.
    pub source: String,
    /// `pass`, `fail`, `hung`, `skipped`, or `unchecked` (filtered out by `--clause`).
    pub verdict: String,
    /// The checks that judged it.
    pub checks: Vec<String>,
}

/// What fuzzing did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FuzzResult {
    /// Sequences asked for.
    pub cases: u32,
    /// Sequences run (shrinking included).
    pub sequences: u64,
    /// Steps sent.
    pub steps: u64,
    /// Seed.
    pub seed: u64,
    /// The shrunk failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Transcript>,
    /// Where it was saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<String>,
    /// Where the first failing sequence (before shrinking) was saved, when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// Totals.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// Clauses passed.
    pub pass: usize,
    /// Clauses failed.
    pub fail: usize,
    /// Clauses hung.
    pub hung: usize,
    /// Clauses skipped.
    pub skipped: usize,
    /// Clauses not run.
    pub unchecked: usize,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `atspec x.y.z`.
    pub tool: String,
    /// Spec name, version and hash.
    pub spec: String,
    /// The device.
    pub device: Identity,
    /// Base URLs of the mock peer's endpoints, by name.
    pub mock: BTreeMap<String, String>,
    /// Fuzzing seed.
    pub seed: u64,
    /// Wall time in milliseconds.
    pub wall_ms: u64,
    /// Per-clause verdicts.
    pub clauses: Vec<ClauseResult>,
    /// Per-check results.
    pub checks: Vec<CheckResult>,
    /// Fuzzing.
    pub fuzz: FuzzResult,
    /// Totals over clauses.
    pub totals: Totals,
    /// Whether the device conforms (no failing or hung clause, no fuzz failure).
    pub conformant: bool,
}

impl Report {
    /// Aggregates check results into clause verdicts: a clause fails if any of its checks
    /// fails, hangs if any hangs, is skipped if all its checks were skipped.
    pub fn new(
        device: Identity,
        mock: BTreeMap<String, String>,
        seed: u64,
        wall_ms: u64,
        checks: Vec<CheckResult>,
        fuzz: FuzzResult,
    ) -> Report {
        let mut by_clause: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
        for c in &checks {
            for id in &c.clauses {
                by_clause.entry(id.as_str()).or_default().push(c);
            }
        }
        let mut totals = Totals::default();
        let clauses: Vec<ClauseResult> = host::CLAUSES
            .iter()
            .map(|info| {
                let cs = by_clause.get(info.id).cloned().unwrap_or_default();
                let has = |v: &str| cs.iter().any(|c| c.verdict.name() == v);
                let verdict = if cs.is_empty() {
                    totals.unchecked += 1;
                    "unchecked"
                } else if has("fail") {
                    totals.fail += 1;
                    "fail"
                } else if has("hung") {
                    totals.hung += 1;
                    "hung"
                } else if cs.iter().all(|c| c.verdict.name() == "skipped") {
                    totals.skipped += 1;
                    "skipped"
                } else {
                    totals.pass += 1;
                    "pass"
                };
                ClauseResult {
                    id: info.id.into(),
                    group: crate::checks::group(info.id).into(),
                    statement: info.statement.into(),
                    source: info.source.into(),
                    verdict: verdict.into(),
                    checks: cs.iter().map(|c| c.name.clone()).collect(),
                }
            })
            .collect();
        let conformant = totals.fail == 0 && totals.hung == 0 && fuzz.failure.is_none();
        Report {
            tool: format!("atspec {}", env!("CARGO_PKG_VERSION")),
            spec: crate::runner::spec_id(),
            device,
            mock,
            seed,
            wall_ms,
            clauses,
            checks,
            fuzz,
            totals,
            conformant,
        }
    }
}
