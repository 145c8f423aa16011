//! `atspec replay FILE…`: runs saved transcripts again and prints byte diffs.
//!
//! A transcript's records may carry golden expectations (`expected` per step, as `--bless`
//! writes them): replay then also requires the oracle to predict exactly those bytes, so a
//! fixture pins the oracle as well as the device.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use super::session::{self, SessionArgs};
use crate::bytes::Bytes;
use crate::report::terminal::{self, Style};
use crate::runner::{self, StepRecord, Transcript, Verdict};
use crate::step::Step;

/// Arguments of `atspec replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Transcript files (fuzzing failures, golden fixtures).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the oracle's expectations into the files as their golden records.
    #[arg(long)]
    bless: bool,
    #[command(flatten)]
    session: SessionArgs,
}

/// `(recorded, now)` base URL pairs; lengths must match, since data phases announce their
/// byte counts.
fn url_pairs(
    t: &Transcript,
    now: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, String> {
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
    Ok(pairs)
}

fn swap(b: &Bytes, pairs: &[(String, String)], back: bool) -> Bytes {
    let mut v = b.0.clone();
    for (old, new) in pairs {
        let (from, to) = if back { (new, old) } else { (old, new) };
        v = replace(&v, from.as_bytes(), to.as_bytes());
    }
    Bytes(v)
}

fn swap_step(s: &Step, pairs: &[(String, String)], back: bool) -> Step {
    match s {
        Step::Send {
            bytes,
            busy,
            within,
        } => Step::Send {
            bytes: swap(bytes, pairs, back),
            busy: busy.as_ref().map(|b| swap(b, pairs, back)),
            within: *within,
        },
        Step::Pause { ms } => Step::Pause { ms: *ms },
        Step::Mock { scenario } => {
            let mut sc = scenario.clone();
            for h in &mut sc.headers {
                h.1 =
                    String::from_utf8_lossy(&swap(&Bytes(h.1.clone().into_bytes()), pairs, back).0)
                        .into_owned();
            }
            Step::Mock { scenario: sc }
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

/// Loads a transcript file.
pub fn load(path: &std::path::Path) -> Result<Transcript, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))
}

/// Golden records differing from what the oracle predicts now.
fn golden_mismatches(
    golden: &Transcript,
    now: &Transcript,
    pairs: &[(String, String)],
) -> Vec<String> {
    let sends = |t: &Transcript| -> Vec<StepRecord> {
        t.records
            .iter()
            .filter(|r| matches!(r.step, Step::Send { .. }))
            .cloned()
            .collect()
    };
    let mut out = Vec::new();
    for (i, (g, n)) in sends(golden).iter().zip(sends(now)).enumerate() {
        if g.expected.0.is_empty() {
            continue;
        }
        let predicted = swap(&n.expected, pairs, true);
        if predicted != g.expected {
            out.push(format!(
                "step {i}: the oracle now predicts `{}`, the golden transcript says `{}`",
                predicted.escaped(),
                g.expected.escaped()
            ));
        }
    }
    out
}

/// Runs `atspec replay`.
pub fn run(a: ReplayArgs) -> ExitCode {
    let transcripts: Vec<(PathBuf, Transcript)> = match a
        .files
        .iter()
        .map(|f| load(f).map(|t| (f.clone(), t)))
        .collect()
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("atspec replay: {e}");
            return ExitCode::from(2);
        }
    };
    let mut s = match session::start(&a.session) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("atspec replay: setup failed: {e}");
            return ExitCode::from(2);
        }
    };
    let now = runner::mock_urls(&s.env.mock);
    let style = Style {
        color: std::io::IsTerminal::is_terminal(&std::io::stdout()),
    };
    let mut bad = 0;
    for (path, t) in &transcripts {
        let pairs = match url_pairs(t, &now) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("atspec replay: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let steps: Vec<Step> = t
            .steps
            .iter()
            .map(|st| swap_step(st, &pairs, false))
            .collect();
        let clauses: Vec<&str> = t.clauses.iter().map(String::as_str).collect();
        // A transcript is replayed under the profile that judged it (unless --profile says
        // otherwise), and only under that one.
        let primary = match (a.session.profile.as_str(), t.profile.as_str()) {
            ("contract", recorded) if !recorded.is_empty() => {
                match crate::oracle::judge(recorded) {
                    Some(j) => j,
                    None => {
                        eprintln!(
                            "atspec replay: {}: profile `{recorded}` is not in this spec",
                            path.display()
                        );
                        return ExitCode::from(2);
                    }
                }
            }
            _ => s.env.judges.primary,
        };
        let judges = runner::Judges {
            primary,
            second: None,
        };
        let r = runner::run_judged(&mut s.env, judges, &t.case, &clauses, &steps);
        let golden = if a.bless {
            Vec::new()
        } else {
            golden_mismatches(t, &r, &pairs)
        };
        match (&r.verdict, golden.is_empty()) {
            (Verdict::Pass, true) => println!("pass {} ({} steps)", path.display(), steps.len()),
            (v, _) => {
                bad += 1;
                println!(
                    "{} {}",
                    if golden.is_empty() {
                        v.name()
                    } else {
                        "golden"
                    },
                    path.display()
                );
                for g in &golden {
                    println!("  {g}");
                }
                print!("{}", terminal::transcript(style, &r));
            }
        }
        if a.bless && r.verdict == Verdict::Pass {
            let mut blessed = t.clone();
            blessed.records = r
                .records
                .iter()
                .map(|rec| StepRecord {
                    step: swap_step(&rec.step, &pairs, true),
                    expected: swap(&rec.expected, &pairs, true),
                    actual: Bytes::default(),
                    expected_requests: Vec::new(),
                    seen_requests: Vec::new(),
                    mismatch: None,
                    diff: None,
                    reading: rec.reading.clone(),
                    loose: rec.loose,
                    ms: 0,
                })
                .collect();
            let text = serde_json::to_string_pretty(&blessed).unwrap_or_default() + "\n";
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("atspec replay: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
            println!("blessed {}", path.display());
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
