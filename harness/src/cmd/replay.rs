//! `atspec replay FILE…`: runs saved transcripts again and prints byte diffs.
//!
//! A transcript's records may carry golden expectations (`expected` per step, as `--bless`
//! writes them): replay then also requires the oracle to predict exactly those bytes, so a
//! fixture pins the oracle as well as the device.

use std::path::PathBuf;
use std::process::ExitCode;

use atspec::bytes::Bytes;
use atspec::report::terminal::{self, Style};
use atspec::runner;
use atspec::session::{self, SessionArgs};
use atspec::world::step::Step;
use atspec::world::transcript::{Rebase, StepRecord, Transcript, Verdict};

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

/// Golden records differing from what the oracle predicts now.
fn golden_mismatches(golden: &Transcript, now: &Transcript, rebase: &Rebase) -> Vec<String> {
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
        let predicted = rebase.bytes_to_recorded(&n.expected);
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
        .map(|f| Transcript::load(f).map(|t| (f.clone(), t)))
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
        let rebase = match Rebase::new(t, &now) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("atspec replay: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let steps: Vec<Step> = t.steps.iter().map(|st| rebase.step_to_now(st)).collect();
        let clauses: Vec<&str> = t.clauses.iter().map(String::as_str).collect();
        // A transcript is replayed under the profile that judged it (unless --profile says
        // otherwise), and only under that one.
        let primary = match (a.session.profile.as_str(), t.profile.as_str()) {
            ("contract", recorded) if !recorded.is_empty() => {
                match atspec::oracle::judge(recorded) {
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
            golden_mismatches(t, &r, &rebase)
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
                    step: rebase.step_to_recorded(&rec.step),
                    expected: rebase.bytes_to_recorded(&rec.expected),
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
            if let Err(e) = blessed.write(path) {
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
