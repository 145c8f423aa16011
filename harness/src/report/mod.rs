//! The certification report: one model rendered to the terminal, JSON, JUnit and HTML.

mod build;
pub mod evidence;
pub mod html;
pub mod junit;
pub mod summary;
pub mod terminal;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use evidence::{Gap, Outcome, Scope, Waiver};

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
        out.shrink_runs += f.shrink_runs;
        out.failing += f.failing;
        out.stopped_early |= f.stopped_early;
        out.others.extend(f.others);
        out.steps += f.steps;
        out.ms += f.ms;
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
        let mut scope = Scope {
            shards: Vec::new(),
            ..first.scope.clone()
        };
        let class = first.class;
        let waivers = first.waivers.clone();
        let review = first.review.clone();
        let interrupted = reports.iter().find_map(|r| r.interrupted.clone());
        let mut traffic = crate::mock::gate::Traffic::default();
        for r in &reports {
            traffic.absorb(&r.traffic);
        }
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
            // A shard of another certification (another split, seed, fuzzing count or
            // selection), or one given twice, would make the merged verdict a lie.
            let foreign = |what: &str| {
                format!(
                    "report {} is not a shard of the same certification as the first: its {what} differs",
                    i + 1
                )
            };
            if r.scope.shard_count != scope.shard_count {
                return Err(foreign("shard count"));
            }
            if r.scope.seed != scope.seed || r.scope.cases != scope.cases {
                return Err(foreign("seed or fuzzing count"));
            }
            if r.scope.clauses != scope.clauses || r.scope.checks != scope.checks {
                return Err(foreign("--clause/--check selection"));
            }
            if r.scope.skip_timing != scope.skip_timing {
                return Err(foreign("--skip-timing"));
            }
            if r.class != class || r.waivers != waivers || r.review != review {
                return Err(foreign(
                    "conformance class, device profile review or waiver list",
                ));
            }
            for s in &r.scope.shards {
                if scope.shards.contains(s) {
                    return Err(format!(
                        "report {} holds shard {s} of {} again: each shard may be merged once",
                        i + 1,
                        scope.shard_count
                    ));
                }
                scope.shards.push(*s);
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
        scope.shards.sort_unstable();
        let mut merged = Report::build(
            identities,
            mock,
            wall_ms,
            checks,
            fuzzes,
            judges,
            Basis {
                profile_choice: choices.join("; "),
                scope,
                class,
                waivers,
                review,
                interrupted,
            },
        );
        merged.traffic = traffic;
        Ok(merged)
    }

    /// The clause counts in one phrase: `N pass, N fail, N hung, N skipped, N not applicable,
    /// N unchecked of N clauses` (the HTML banner and the Markdown summary say it alike).
    pub fn clause_counts(&self) -> String {
        let t = &self.totals;
        format!(
            "{} pass, {} fail, {} hung, {} skipped, {} not applicable, {} unchecked of {} clauses",
            t.pass,
            t.fail,
            t.hung,
            t.skipped,
            t.not_applicable,
            t.unchecked,
            self.clauses.len()
        )
    }

    /// Both verdicts in one line: `CONFORMANT to the contract; 3 differences from ESP-AT 4.1`,
    /// with the class when it is reduced, the waivers, and why a report is incomplete:
    /// `INCOMPLETE under the contract (6 clauses unproved)`.
    pub fn verdict_line(&self) -> String {
        self.verdicts
            .iter()
            .map(|v| {
                if !v.decides {
                    return v.sentence();
                }
                let mut s = match self.verdict {
                    Outcome::Incomplete => format!("INCOMPLETE under {}", v.name),
                    o => format!("{} to {}", o.label(), v.name),
                };
                if self.class != Class::Https {
                    s.push_str(&format!(", class {}", self.class.id()));
                }
                if !self.waivers.is_empty() && self.verdict != Outcome::NotConformant {
                    let n = self.waivers.len();
                    s.push_str(&format!(
                        " with {n} waiver{}",
                        if n == 1 { "" } else { "s" }
                    ));
                }
                if self.verdict == Outcome::Incomplete {
                    let n = self.unproved.len();
                    let mut why = Vec::new();
                    if n > 0 {
                        why.push(format!(
                            "{n} clause{} unproved",
                            if n == 1 { "" } else { "s" }
                        ));
                    }
                    why.extend(
                        self.gaps
                            .iter()
                            .map(|g| g.split(':').next().unwrap_or(g).to_string()),
                    );
                    s.push_str(&format!(" ({})", why.join("; ")));
                }
                if v.not_applicable > 0 {
                    s.push_str(&format!(" ({} checks not applicable)", v.not_applicable));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Fuzzed sequences the devices ran to the end (a device whose fuzzing found a failure stopped
/// there; that report is not conformant anyway).
pub(crate) fn fuzzes_asked(devices: &[DeviceResult]) -> u32 {
    devices.iter().map(|d| d.fuzz_cases).sum()
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
    /// The device's UART log while the check ran, for a check that failed or hung (at most
    /// [`evidence::EXCERPT_MAX`] bytes: the end, whole lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uart_excerpt: Option<String>,
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
    /// Why it is not `pass` (the checks' skip reasons, the run's scope), when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
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
    /// Sequences of the requested count that ran (shrinking and re-runs apart).
    pub sequences: u64,
    /// Runs spent shrinking the first failure and re-running it.
    #[serde(default)]
    pub shrink_runs: u64,
    /// Requested sequences that failed or hung (fuzzing goes on past a failure).
    #[serde(default)]
    pub failing: u64,
    /// Fuzzing stopped before the requested count: too many failing sequences or kinds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped_early: bool,
    /// Where the first sequence of every other kind of failure was saved (not shrunk).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<String>,
    /// Steps sent.
    pub steps: u64,
    /// Wall time fuzzing took, in milliseconds, summed over the devices.
    #[serde(default)]
    pub ms: u64,
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
    /// No check it ran failed or hung, and its fuzzing found nothing. Not a verdict: in a
    /// farm that shares one certification out, a unit runs a fraction of the checks, and only
    /// the report as a whole is a certificate.
    #[serde(alias = "conformant")]
    pub clean: bool,
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
    /// Whether the device conforms: [`Outcome::Conformant`], nothing less.
    pub conformant: bool,
    /// The answer: conformant, not conformant, or incomplete (and then `unproved` and `gaps`
    /// say why).
    #[serde(default = "not_conformant")]
    pub verdict: Outcome,
    /// Whether the evidence covers every clause of the deciding profile within the class
    /// (waived clauses aside): the whole certification, every check run, fuzzing in full.
    #[serde(default)]
    pub complete: bool,
    /// The conformance class the device was certified to.
    #[serde(default)]
    pub class: Class,
    /// How much of the certification this report holds. Required: a report that does not say
    /// (one written before verdicts were certificates) cannot be merged into one.
    pub scope: Scope,
    /// Clauses of the deciding profile that no passing check proved, and why (waived ones
    /// excepted).
    #[serde(default)]
    pub unproved: Vec<Gap>,
    /// Why the report does not stand for a whole certification (a partial run, missing
    /// shards, fuzzing cut short), whatever its clauses say.
    #[serde(default)]
    pub gaps: Vec<String>,
    /// Clauses the certifier exempted on purpose (`--waive FILE`), each with its reason.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// The static review of the device profile (the conformance statement) against the
    /// spec's floors: each finding is also a gap.
    #[serde(default)]
    pub review: Vec<String>,
    /// The signal that stopped the run early (the report holds what ran before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The deciding profile's verdict, then the second profile's.
    pub verdicts: Vec<ProfileVerdict>,
    /// How the deciding profile was chosen (`--profile`, or what AT+GMR said).
    pub profile_choice: String,
    /// What reached the mock peer besides the device's requests (never judged), and the
    /// addresses that connected to it.
    #[serde(default)]
    pub traffic: crate::mock::gate::Traffic,
}

fn not_conformant() -> Outcome {
    Outcome::NotConformant
}

/// A conformance class: which optional features of the command set the device was certified
/// with. The spec makes HTTPS optional (the seed: "By default, AT firmware does not support HTTP
/// certificate configuration"; reference §6: TLS is a build option), so a device whose profile
/// declares no TLS is certified to `http`, and every report says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// HTTP over TCP only: TLS clauses are outside the certificate.
    Http,
    /// HTTP and HTTPS: every clause.
    #[default]
    Https,
}

impl Class {
    /// The class of a device with this profile.
    pub fn of(profile: &crate::profile::DeviceProfile) -> Class {
        if profile.tls {
            Class::Https
        } else {
            Class::Http
        }
    }

    /// `http`, `https`.
    pub fn id(self) -> &'static str {
        match self {
            Class::Http => "http",
            Class::Https => "https",
        }
    }

    /// One line for reports.
    pub fn description(self) -> &'static str {
        match self {
            Class::Http => {
                "http: HTTP over TCP only (the device profile declares no TLS); TLS clauses are outside the certificate"
            }
            Class::Https => "https: HTTP and HTTPS, every clause",
        }
    }
}

/// What a report is judged on besides its checks: how the profile was chosen, how much of the
/// certification ran, the device's class and the certifier's waivers.
#[derive(Debug, Clone, Default)]
pub struct Basis {
    /// How the deciding profile was chosen.
    pub profile_choice: String,
    /// How much of the certification the report holds.
    pub scope: Scope,
    /// The device's conformance class.
    pub class: Class,
    /// Clauses exempted on purpose.
    pub waivers: Vec<Waiver>,
    /// Findings of the static review of the device profile against the spec's floors.
    pub review: Vec<String>,
    /// The signal that stopped the run early, if one did.
    pub interrupted: Option<String>,
}
