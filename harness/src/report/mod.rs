//! The certification report: one model rendered to the terminal, JSON, JUnit and HTML.

pub mod html;
pub mod junit;
pub mod terminal;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::device::Identity;
use crate::runner::{Judged, Judges, Transcript, Verdict};
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

/// Every device's fuzzing as one: counts added, the first failure (in device order) kept.
pub fn merge_fuzz(fuzzes: Vec<FuzzResult>) -> FuzzResult {
    let mut out = FuzzResult {
        seed: fuzzes.first().map_or(0, |f| f.seed),
        ..FuzzResult::default()
    };
    for f in fuzzes {
        out.cases += f.cases;
        out.sequences += f.sequences;
        out.steps += f.steps;
        out.second_differences += f.second_differences;
        if out.second_example.is_none() {
            out.second_example = f.second_example;
        }
        if out.failure.is_none() && f.failure.is_some() {
            out.failure = f.failure;
            out.saved = f.saved;
            out.original = f.original;
        }
    }
    out
}

impl Report {
    /// Joins reports of slices of one certification (`--shard I/N`, possibly on different
    /// runners and devices) into one: checks and devices together, clause verdicts and both
    /// profile verdicts computed again, wall time the longest slice's. The slices must be of
    /// the same spec and judged by the same profiles.
    pub fn merge(reports: Vec<Report>) -> Result<Report, String> {
        let first = reports.first().ok_or("no reports to merge")?;
        let spec = first.spec.clone();
        let profiles: Vec<String> = first.verdicts.iter().map(|v| v.profile.clone()).collect();
        let mut identities: Vec<Identity> = Vec::new();
        let mut checks = Vec::new();
        let mut fuzzes = Vec::new();
        let mut choices: Vec<String> = Vec::new();
        let mut wall_ms = 0;
        let mut mock = BTreeMap::new();
        for (i, r) in reports.into_iter().enumerate() {
            if r.spec != spec {
                return Err(format!(
                    "report {} was judged against {}, the first against {spec}",
                    i + 1,
                    r.spec
                ));
            }
            let ps: Vec<String> = r.verdicts.iter().map(|v| v.profile.clone()).collect();
            if ps != profiles {
                return Err(format!(
                    "report {} was judged by the profiles {ps:?}, the first by {profiles:?}",
                    i + 1
                ));
            }
            wall_ms = wall_ms.max(r.wall_ms);
            if mock.is_empty() {
                mock = r.mock.clone();
            }
            if !choices.contains(&r.profile_choice) {
                choices.push(r.profile_choice.clone());
            }
            // The same device in several slices is one device (its shard label aside).
            let devices = if r.devices.is_empty() {
                vec![r.device.clone()]
            } else {
                r.devices.iter().map(|d| d.identity.clone()).collect()
            };
            let mut index = Vec::new();
            for mut id in devices {
                id.shard = None;
                let at = match identities
                    .iter()
                    .position(|x| x.link == id.link && x.version == id.version)
                {
                    Some(at) => at,
                    None => {
                        identities.push(id);
                        fuzzes.push(FuzzResult::default());
                        identities.len() - 1
                    }
                };
                index.push(at);
            }
            for mut c in r.checks {
                c.device = index.get(c.device).copied().unwrap_or(0);
                checks.push(c);
            }
            let at = index.first().copied().unwrap_or(0);
            let merged = merge_fuzz(vec![std::mem::take(&mut fuzzes[at]), r.fuzz]);
            fuzzes[at] = merged;
        }
        let judge = |id: &str| {
            crate::oracle::judge(id).ok_or_else(|| format!("profile `{id}` is not in this spec"))
        };
        let judges = Judges {
            primary: judge(profiles.first().map_or("contract", String::as_str))?,
            second: profiles.get(1).map(|p| judge(p)).transpose()?,
        };
        Ok(Report::build(
            identities,
            mock,
            wall_ms,
            checks,
            fuzzes,
            judges,
            choices.join("; "),
        ))
    }

    /// Both verdicts in one line: `CONFORMANT to the contract; 3 differences from ESP-AT 4.1`.
    pub fn verdict_line(&self) -> String {
        self.verdicts
            .iter()
            .map(ProfileVerdict::sentence)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// One check as run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    /// Name.
    pub name: String,
    /// Clauses it proved (exact expectations, every step judged exactly).
    pub clauses: Vec<String>,
    /// Clauses it only touched (declared so, or a step of this run was judged loosely).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touched: Vec<String>,
    /// Verdict.
    pub verdict: Verdict,
    /// Wall time in milliseconds.
    pub ms: u64,
    /// The transcript (kept for every check that did not pass under either profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Transcript>,
    /// The verdict under the report's second profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second: Option<Judged>,
    /// Which of the run's devices ran it (index into `devices`).
    #[serde(default)]
    pub device: usize,
}

/// One clause's verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClauseResult {
    /// Id.
    pub id: String,
    /// Group (the id's first part).
    pub group: String,
    /// Statement.
    pub statement: String,
    /// Source citation.
    pub source: String,
    /// `pass`, `fail`, `hung`, `skipped`, `not applicable` (every check of it needs a command
    /// the profile lacks), `unproved` (checks only touched it) or `unchecked` (no check ran it).
    pub verdict: String,
    /// The checks that prove it: the verdict rests on these alone.
    pub checks: Vec<String>,
    /// Checks that exercised it without pinning its output.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touched_by: Vec<String>,
}

/// What fuzzing did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Transcript>,
    /// Where it was saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<String>,
    /// Where the first failing sequence (before shrinking) was saved, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// Sequences the second profile judged differently from the device (not shrunk).
    #[serde(default)]
    pub second_differences: u64,
    /// The first of them, for the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_example: Option<Transcript>,
}

/// Totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
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
    /// Clauses whose every check needs a command the profile lacks.
    #[serde(default)]
    pub not_applicable: usize,
    /// Clauses that checks touched but none proved.
    #[serde(default)]
    pub unproved: usize,
}

/// The verdict of a run under one spec profile.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProfileVerdict {
    /// Profile id (`contract`, `esp-at-3.1`).
    pub profile: String,
    /// How reports name it (`the contract`, `ESP-AT 3.1`).
    pub name: String,
    /// Whether this profile decides the exit status.
    pub decides: bool,
    /// No check failed or hung under it, and fuzzing found no difference.
    pub conformant: bool,
    /// Checks that failed or hung under it.
    pub failing_checks: Vec<String>,
    /// Fuzzed sequences it judged as failing.
    pub fuzz_failures: u64,
    /// Checks not applicable under it.
    pub not_applicable: usize,
}

impl ProfileVerdict {
    /// Failing checks plus failing fuzzed sequences.
    pub fn differences(&self) -> usize {
        self.failing_checks.len() + self.fuzz_failures as usize
    }

    /// `CONFORMANT to the contract` / `3 differences from ESP-AT 4.1`, with the N/A count.
    pub fn sentence(&self) -> String {
        let na = if self.not_applicable > 0 {
            format!(" ({} checks not applicable)", self.not_applicable)
        } else {
            String::new()
        };
        if self.decides {
            format!(
                "{} to {}{na}",
                if self.conformant {
                    "CONFORMANT"
                } else {
                    "NOT CONFORMANT"
                },
                self.name
            )
        } else if self.conformant {
            format!("no differences from {}{na}", self.name)
        } else {
            let n = self.differences();
            format!(
                "{n} difference{} from {}{na}",
                if n == 1 { "" } else { "s" },
                self.name
            )
        }
    }
}

/// One device of a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeviceResult {
    /// Who it is.
    pub identity: Identity,
    /// No check it ran failed or hung, and its fuzzing found nothing.
    pub conformant: bool,
    /// Checks it ran.
    pub checks: usize,
    /// Of those, the ones that failed or hung.
    pub failing_checks: Vec<String>,
    /// Fuzzed sequences asked of it.
    pub fuzz_cases: u32,
    /// Whether its fuzzing found a failure.
    pub fuzz_failed: bool,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// `atspec x.y.z`.
    pub tool: String,
    /// Spec name, version and hash.
    pub spec: String,
    /// The device (the first, when several ran).
    pub device: Identity,
    /// Every device of the run, with its own verdict.
    #[serde(default)]
    pub devices: Vec<DeviceResult>,
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
    /// Whether the device conforms (no failing or hung clause, no fuzz failure) under the
    /// deciding profile.
    pub conformant: bool,
    /// The deciding profile's verdict, then the second profile's.
    pub verdicts: Vec<ProfileVerdict>,
    /// How the deciding profile was chosen (`--profile`, or what AT+GMR said).
    pub profile_choice: String,
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
        profile_choice: String,
    ) -> Report {
        let bad = |v: &Verdict| matches!(v, Verdict::Fail(_) | Verdict::Hung(_));
        let device_results: Vec<DeviceResult> = devices
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
                    conformant: failing.is_empty() && !fuzz_failed,
                    checks: mine.len(),
                    failing_checks: failing,
                    fuzz_cases: fuzz.map_or(0, |f| f.cases),
                    fuzz_failed,
                }
            })
            .collect();
        let fuzz = merge_fuzz(fuzzes);
        let seed = fuzz.seed;
        let device = devices.first().cloned().unwrap_or_default();
        let mut by_clause: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
        let mut touching: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in &checks {
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
        let mut totals = Totals::default();
        let clauses: Vec<ClauseResult> = host::CLAUSES
            .iter()
            .map(|info| {
                let cs = by_clause.get(info.id).cloned().unwrap_or_default();
                let has = |v: &str| cs.iter().any(|c| c.verdict.name() == v);
                let touched_by: Vec<String> = touching
                    .get(info.id)
                    .map(|v| v.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                let verdict = if cs.is_empty() && !touched_by.is_empty() {
                    totals.unproved += 1;
                    "unproved"
                } else if cs.is_empty() {
                    totals.unchecked += 1;
                    "unchecked"
                } else if has("fail") {
                    totals.fail += 1;
                    "fail"
                } else if has("hung") {
                    totals.hung += 1;
                    "hung"
                } else if cs.iter().all(|c| c.verdict.name() == "not applicable") {
                    totals.not_applicable += 1;
                    "not applicable"
                } else if cs
                    .iter()
                    .all(|c| matches!(c.verdict.name(), "skipped" | "not applicable"))
                {
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
                    touched_by,
                }
            })
            .collect();
        // A check that proves nothing still fails the device when it fails (a hang, no
        // final result).
        let conformant = totals.fail == 0
            && totals.hung == 0
            && fuzz.failure.is_none()
            && !checks.iter().any(|c| bad(&c.verdict));
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
            verdicts,
            profile_choice,
            devices: device_results,
        }
    }
}
