//! Building a report from a run's results: per-device summaries, clause verdicts from the
//! checks that prove each, the gaps that keep a certificate from being issued, and each spec
//! profile's verdict.

use std::collections::BTreeMap;

use super::{
    Basis, CheckResult, ClauseResult, DeviceResult, FuzzResult, Gap, Outcome, ProfileVerdict,
    Report, Scope, Totals, fuzzes_asked, merge_fuzz,
};
use crate::device::Identity;
use crate::runner::{Judges, Verdict};
use crate::syntax::host;

/// A failure or a hang: what makes a device non-conformant.
fn bad(v: &Verdict) -> bool {
    matches!(v, Verdict::Fail(_) | Verdict::Hung(_))
}

impl Report {
    /// Aggregates check results (each naming its device) and every device's fuzzing into
    /// clause verdicts: a clause fails if any of its checks fails, hangs if any hangs, is
    /// skipped if all its checks were skipped.
    pub fn build(
        devices: Vec<Identity>,
        mock: BTreeMap<String, String>,
        wall_ms: u64,
        checks: Vec<CheckResult>,
        fuzzes: Vec<FuzzResult>,
        judges: Judges,
        basis: Basis,
    ) -> Report {
        let Basis {
            profile_choice,
            scope,
            class,
            waivers,
            review,
            interrupted,
        } = basis;
        let device_results = device_results(&devices, &checks, &fuzzes);
        let fuzz = merge_fuzz(fuzzes);
        let mut totals = Totals::default();
        let clauses = clause_results(&checks, &scope, interrupted.as_deref(), &mut totals);
        // A check that proves nothing still fails the device when it fails (a hang, no
        // final result).
        let no_failure = totals.fail == 0
            && totals.hung == 0
            && fuzz.failure.is_none()
            && !checks.iter().any(|c| bad(&c.verdict));
        // Every clause that is neither proved, nor outside the profile or class, nor waived
        // keeps the certificate from being issued; so does a scope short of the whole run.
        let unproved: Vec<Gap> = clauses
            .iter()
            .filter(|c| matches!(c.verdict.as_str(), "skipped" | "unchecked" | "unproved"))
            .filter(|c| !waivers.iter().any(|w| w.clause == c.id))
            .map(|c| Gap {
                clause: c.id.clone(),
                why: c.why.clone().unwrap_or_default(),
            })
            .collect();
        let gaps = gaps(
            &scope,
            interrupted.as_deref(),
            &fuzz,
            fuzzes_asked(&device_results),
            &review,
        );
        let complete = unproved.is_empty() && gaps.is_empty();
        let outcome = if !no_failure {
            Outcome::NotConformant
        } else if complete {
            Outcome::Conformant
        } else {
            Outcome::Incomplete
        };
        let verdicts = profile_verdicts(judges, no_failure, &checks, &fuzz);
        Report {
            tool: format!("atspec {}", env!("CARGO_PKG_VERSION")),
            spec: crate::runner::spec_id(),
            device: devices.first().cloned().unwrap_or_default(),
            mock,
            seed: fuzz.seed,
            wall_ms,
            clauses,
            checks,
            fuzz,
            totals,
            conformant: outcome == Outcome::Conformant,
            verdict: outcome,
            complete,
            class,
            scope,
            unproved,
            gaps,
            waivers,
            review,
            interrupted,
            verdicts,
            profile_choice,
            devices: device_results,
            traffic: Default::default(),
        }
    }
}

/// What each device did: its checks, the failing ones, its fuzzing.
fn device_results(
    devices: &[Identity],
    checks: &[CheckResult],
    fuzzes: &[FuzzResult],
) -> Vec<DeviceResult> {
    devices
        .iter()
        .enumerate()
        .map(|(d, identity)| {
            let mine: Vec<&CheckResult> = checks.iter().filter(|c| c.device == d).collect();
            let failing: Vec<String> = mine
                .iter()
                .filter(|c| bad(&c.verdict))
                .map(|c| c.name.clone())
                .collect();
            let fuzz = fuzzes.get(d);
            let fuzz_failed = fuzz.is_some_and(|f| f.failure.is_some());
            DeviceResult {
                identity: identity.clone(),
                clean: failing.is_empty() && !fuzz_failed,
                checks: mine.len(),
                failing_checks: failing,
                fuzz_cases: fuzz.map_or(0, |f| f.cases),
                fuzz_failed,
            }
        })
        .collect()
}

/// Every clause of the spec with its verdict, counted into `totals`.
fn clause_results(
    checks: &[CheckResult],
    scope: &Scope,
    interrupted: Option<&str>,
    totals: &mut Totals,
) -> Vec<ClauseResult> {
    let mut by_clause: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
    let mut touching: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in checks {
        for id in &c.clauses {
            by_clause.entry(id.as_str()).or_default().push(c);
        }
        for id in &c.touched {
            touching
                .entry(id.as_str())
                .or_default()
                .push(c.name.as_str());
        }
    }
    host::CLAUSES
        .iter()
        .map(|info| {
            let cs = by_clause.get(info.id).cloned().unwrap_or_default();
            let touched_by: Vec<String> = touching
                .get(info.id)
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            let (verdict, why) = clause_verdict(&cs, &touched_by, || unrun(scope, interrupted));
            match verdict {
                "unproved" => totals.unproved += 1,
                "unchecked" => totals.unchecked += 1,
                "fail" => totals.fail += 1,
                "hung" => totals.hung += 1,
                "not applicable" => totals.not_applicable += 1,
                "skipped" => totals.skipped += 1,
                _ => totals.pass += 1,
            }
            ClauseResult {
                id: info.id.into(),
                group: crate::checks::group(info.id).into(),
                statement: info.statement.into(),
                source: info.source.into(),
                verdict: verdict.into(),
                why,
                checks: cs.iter().map(|c| c.name.clone()).collect(),
                touched_by,
            }
        })
        .collect()
}

/// One clause's verdict from the checks that prove it (`cs`) and those that only touch it,
/// with the reason where it is not a plain pass or fail.
fn clause_verdict(
    cs: &[&CheckResult],
    touched_by: &[String],
    unrun: impl Fn() -> String,
) -> (&'static str, Option<String>) {
    let has = |v: &str| cs.iter().any(|c| c.verdict.name() == v);
    if cs.is_empty() && !touched_by.is_empty() {
        (
            "unproved",
            Some(format!(
                "only touched by {}: no check pins its output",
                touched_by.join(", ")
            )),
        )
    } else if cs.is_empty() {
        ("unchecked", Some(unrun()))
    } else if has("fail") {
        ("fail", None)
    } else if has("hung") {
        ("hung", None)
    } else if cs.iter().all(|c| c.verdict.name() == "not applicable") {
        let why = cs.iter().find_map(|c| match &c.verdict {
            Verdict::NotApplicable(w) => Some(w.clone()),
            _ => None,
        });
        ("not applicable", why)
    } else if cs
        .iter()
        .all(|c| matches!(c.verdict.name(), "skipped" | "not applicable"))
    {
        let mut why: Vec<&str> = cs
            .iter()
            .filter_map(|c| match &c.verdict {
                Verdict::Skipped(w) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        why.dedup();
        ("skipped", Some(why.join("; ")))
    } else {
        ("pass", None)
    }
}

/// Why a clause no check of this report ran is unchecked.
fn unrun(scope: &Scope, interrupted: Option<&str>) -> String {
    if let Some(sig) = interrupted {
        format!("not run: {sig} stopped the run")
    } else if scope.partial() {
        let by = match (scope.clauses.is_empty(), scope.checks.is_empty()) {
            (false, true) => "--clause",
            (true, false) => "--check",
            _ => "--clause, --check",
        };
        format!("not selected (partial run: {by})")
    } else if !scope.missing_shards().is_empty() {
        "its checks are in a shard not in this report".to_string()
    } else {
        "no check proves it".to_string()
    }
}

/// What keeps the run from being the whole certification, besides unproved clauses.
fn gaps(
    scope: &Scope,
    interrupted: Option<&str>,
    fuzz: &FuzzResult,
    fuzz_ran: u32,
    review: &[String],
) -> Vec<String> {
    let mut gaps = Vec::new();
    if let Some(sig) = interrupted {
        gaps.push(format!(
            "interrupted by {sig}: the run stopped early; what had not run is unproved"
        ));
    }
    gaps.extend(scope.gaps(fuzz_ran));
    if fuzz.stopped_early {
        gaps.push(format!(
            "fuzzing stopped after {} of the {} sequences: {} failed (it stops at {} failing sequences or {} kinds of failure)",
            fuzz.sequences,
            fuzz.cases,
            fuzz.failing,
            crate::fuzz::FAILING_MAX,
            crate::fuzz::DISTINCT_MAX
        ));
    }
    gaps.extend(review.iter().cloned());
    gaps
}

/// The deciding profile's verdict, and the second profile's beside it.
fn profile_verdicts(
    judges: Judges,
    conformant: bool,
    checks: &[CheckResult],
    fuzz: &FuzzResult,
) -> Vec<ProfileVerdict> {
    let mut verdicts = vec![ProfileVerdict {
        profile: judges.primary.id.to_string(),
        name: crate::runner::judge_name(judges.primary),
        decides: true,
        conformant,
        failing_checks: checks
            .iter()
            .filter(|c| bad(&c.verdict))
            .map(|c| c.name.clone())
            .collect(),
        fuzz_failures: u64::from(fuzz.failure.is_some()),
        not_applicable: checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::NotApplicable(_)))
            .count(),
    }];
    if let Some(j) = judges.second {
        fn second(c: &CheckResult) -> Option<&Verdict> {
            c.second.as_ref().map(|s| &s.verdict)
        }
        let failing: Vec<String> = checks
            .iter()
            .filter(|c| second(c).is_some_and(bad))
            .map(|c| c.name.clone())
            .collect();
        verdicts.push(ProfileVerdict {
            profile: j.id.to_string(),
            name: crate::runner::judge_name(j),
            decides: false,
            conformant: failing.is_empty() && fuzz.second_differences == 0,
            failing_checks: failing,
            fuzz_failures: fuzz.second_differences,
            not_applicable: checks
                .iter()
                .filter(|c| matches!(second(c), Some(Verdict::NotApplicable(_))))
                .count(),
        });
    }
    verdicts
}
