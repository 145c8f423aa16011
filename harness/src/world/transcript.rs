//! Transcripts: the replayable record of a case and its verdict. Saving, loading and
//! rebasing onto the mock addresses of another run live here and nowhere else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::request::HttpRequest;
use super::step::Step;
use crate::bytes::Bytes;

/// The largest transcript read (a fuzzing failure with its bytes is far smaller).
pub const TRANSCRIPT_MAX: u64 = 64 * 1024 * 1024;
/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "why", rename_all = "snake_case")]
pub enum Verdict {
    /// Every answer and request as the oracle predicted.
    Pass,
    /// An answer or request differed.
    Fail(String),
    /// The check could not run here (no TLS certificates for this device, …).
    Skipped(String),
    /// The device did not finish an answer within the case timeout.
    Hung(String),
    /// The profile judging the case lacks one of its commands (an older ESP-AT version).
    NotApplicable(String),
}

impl Verdict {
    /// Short name.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail(_) => "fail",
            Verdict::Skipped(_) => "skipped",
            Verdict::Hung(_) => "hung",
            Verdict::NotApplicable(_) => "not applicable",
        }
    }
}

/// One step as run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step.
    pub step: Step,
    /// The oracle's output.
    #[serde(default)]
    pub expected: Bytes,
    /// What the device wrote.
    #[serde(default)]
    pub actual: Bytes,
    /// Requests the peer had to see.
    #[serde(default)]
    pub expected_requests: Vec<HttpRequest>,
    /// Requests it saw, as `METHOD target` lines with headers.
    #[serde(default)]
    pub seen_requests: Vec<String>,
    /// What did not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<String>,
    /// Diff detail: normalized expected and actual, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<(String, String, usize)>,
    /// The clause whose alternative reading the device's answer followed, if not the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// The answer could only be judged loosely (any final result passes): the step proves
    /// nothing about output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub loose: bool,
    /// Milliseconds from the write to the answer's last byte (the pause, for a pause).
    #[serde(default)]
    pub ms: u64,
}

impl StepRecord {
    /// The record of `step`: `actual` came back after `ms`; nothing expected, nothing
    /// mismatched yet (a send's expectations are filled in by whoever judged it).
    pub fn of(step: &Step, actual: Vec<u8>, ms: u64) -> StepRecord {
        StepRecord {
            step: step.clone(),
            expected: Bytes::default(),
            actual: Bytes(actual),
            expected_requests: Vec::new(),
            seen_requests: Vec::new(),
            mismatch: None,
            diff: None,
            reading: None,
            loose: false,
            ms,
        }
    }
}

/// A replayable record of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// What the case is (check name or `fuzz`).
    pub case: String,
    /// Clauses it checks.
    pub clauses: Vec<String>,
    /// Spec name, version and hash it was judged against.
    pub spec: String,
    /// Fuzzing seed, if fuzzed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Base URLs of the mock endpoints when it ran (rewritten on replay).
    pub mock_urls: BTreeMap<String, String>,
    /// The run's path prefix, under which every URL of its steps lies (a replay uses it
    /// again, so steps keep their lengths). Empty in transcripts from before prefixes: then
    /// every request counts as the device's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path_prefix: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// Expected and actual bytes per step.
    #[serde(default)]
    pub records: Vec<StepRecord>,
    /// How it ended.
    pub verdict: Verdict,
    /// Why the transcript exists (fixtures say where their example comes from).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// How the device was brought back after this case, step by step (`Device::recover`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery: Vec<String>,
    /// The spec profile of `verdict` (empty in transcripts from before profiles: the contract).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub profile: String,
    /// The verdict under the report's second profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second: Option<Judged>,
}

/// A verdict under the report's second profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judged {
    /// The profile id.
    pub profile: String,
    /// Its verdict.
    pub verdict: Verdict,
}

impl Transcript {
    /// Whether every answer was judged exactly (no step accepted any final result).
    pub fn exact(&self) -> bool {
        self.records.iter().all(|r| !r.loose)
    }

    /// Loads a transcript file (a regular file of at most [`TRANSCRIPT_MAX`] bytes); a
    /// malformed one is reported at `file:line:col`.
    pub fn load(path: &Path) -> Result<Transcript, String> {
        let text = crate::files::read_input(path, TRANSCRIPT_MAX, "transcript")?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))
    }

    /// Writes it (pretty JSON) to `path`.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, crate::secrets::mask(&text) + "\n")
    }

    /// Saves it as `DIR/fuzz-<seed>-<hash>.json` (the hash of its text, so equal failures
    /// share a file) and returns the path.
    pub fn save(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let text = crate::secrets::mask(&text);
        let mut h: u64 = 0xcbf29ce484222325;
        for b in text.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
        let path = dir.join(format!(
            "fuzz-{}-{:08x}.json",
            self.seed.unwrap_or(0),
            h as u32
        ));
        std::fs::write(&path, text)?;
        Ok(path)
    }
}

/// Moves a transcript's bytes between the mock addresses it was recorded with and those of
/// the run replaying it. Addresses must keep their length, since data phases announce their
/// byte counts.
#[derive(Debug, Clone, Default)]
pub struct Rebase {
    /// `(recorded, now)` base URL pairs.
    pairs: Vec<(String, String)>,
}

impl Rebase {
    /// The rebase of `t` onto the endpoints `now` (name → base URL).
    pub fn new(t: &Transcript, now: &BTreeMap<String, String>) -> Result<Rebase, String> {
        let mut pairs = Vec::new();
        for (name, old) in &t.mock_urls {
            if let Some(new) = now.get(name) {
                if new.len() != old.len() {
                    return Err(format!(
                        "the {name} endpoint was {old} and is {new} now; replay needs addresses of the same length (use --mock-bind)"
                    ));
                }
                pairs.push((old.clone(), new.clone()));
            }
        }
        Ok(Rebase { pairs })
    }

    /// A recorded step with the addresses of now.
    pub fn step_to_now(&self, s: &Step) -> Step {
        self.step(s, false)
    }

    /// A step of now with the recorded addresses.
    pub fn step_to_recorded(&self, s: &Step) -> Step {
        self.step(s, true)
    }

    /// Bytes of now with the recorded addresses.
    pub fn bytes_to_recorded(&self, b: &Bytes) -> Bytes {
        self.bytes(b, true)
    }

    fn bytes(&self, b: &Bytes, back: bool) -> Bytes {
        let mut v = b.0.clone();
        for (old, new) in &self.pairs {
            let (from, to) = if back { (new, old) } else { (old, new) };
            v = replace(&v, from.as_bytes(), to.as_bytes());
        }
        Bytes(v)
    }

    fn step(&self, s: &Step, back: bool) -> Step {
        match s {
            Step::Send {
                bytes,
                busy,
                within,
            } => Step::Send {
                bytes: self.bytes(bytes, back),
                busy: busy.as_ref().map(|b| self.bytes(b, back)),
                within: *within,
            },
            Step::Pause { ms } => Step::Pause { ms: *ms },
            Step::Mock { scenario } => {
                let mut sc = scenario.clone();
                for h in &mut sc.headers {
                    let v = self.bytes(&Bytes(h.1.clone().into_bytes()), back);
                    h.1 = String::from_utf8_lossy(&v.0).into_owned();
                }
                Step::Mock { scenario: sc }
            }
        }
    }
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}
