//! `atspec replay FILE`: runs a saved transcript again and prints the byte diff.

use std::path::PathBuf;
use std::process::ExitCode;

use super::session::{self, SessionArgs};
use crate::bytes::Bytes;
use crate::report::terminal::{self, Style};
use crate::runner::{self, Transcript, Verdict};
use crate::step::Step;

/// Arguments of `atspec replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Transcript files (fuzzing failures, golden fixtures).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    session: SessionArgs,
}

/// Rewrites the recorded mock base URLs to this run's; lengths must match, since data phases
/// announce their byte counts.
fn rebase(
    t: &Transcript,
    now: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<Step>, String> {
    let mut pairs: Vec<(&String, &String)> = Vec::new();
    for (name, old) in &t.mock_urls {
        if let Some(new) = now.get(name) {
            if new.len() != old.len() {
                return Err(format!(
                    "the {name} endpoint was {old} and is {new} now; replay needs addresses of the same length (use --mock-bind)"
                ));
            }
            pairs.push((old, new));
        }
    }
    let swap = |b: &Bytes| {
        let mut v = b.0.clone();
        for (old, new) in &pairs {
            v = replace(&v, old.as_bytes(), new.as_bytes());
        }
        Bytes(v)
    };
    Ok(t.steps
        .iter()
        .map(|s| match s {
            Step::Send { bytes, busy } => Step::Send {
                bytes: swap(bytes),
                busy: busy.as_ref().map(swap),
            },
            Step::Mock { scenario } => {
                let mut sc = scenario.clone();
                for h in &mut sc.headers {
                    h.1 = String::from_utf8_lossy(&swap(&Bytes(h.1.clone().into_bytes())).0)
                        .into_owned();
                }
                Step::Mock { scenario: sc }
            }
        })
        .collect())
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
        let steps = match rebase(t, &now) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("atspec replay: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let clauses: Vec<&str> = t.clauses.iter().map(String::as_str).collect();
        let r = runner::run(&mut s.env, &t.case, &clauses, &steps);
        match &r.verdict {
            Verdict::Pass => println!("pass {} ({} steps)", path.display(), steps.len()),
            v => {
                bad += 1;
                println!("{} {}", v.name(), path.display());
                print!("{}", terminal::transcript(style, &r));
            }
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
