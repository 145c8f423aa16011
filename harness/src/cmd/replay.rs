//! `atspec replay FILE…`: runs saved transcripts again and prints byte diffs.
//!
//! A transcript's records may carry golden expectations (`expected` per step, as `--bless`
//! writes them): replay then also requires the oracle to predict exactly those bytes, so a
//! fixture pins the oracle as well as the device.

use std::path::PathBuf;
use std::process::ExitCode;

use atspec::report::terminal;
use atspec::session::{self, SessionArgs};
use atspec::world::transcript::{Transcript, Verdict};

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
    let style = super::stdout_style();
    let mut bad = 0;
    for (path, t) in &transcripts {
        let r = match atspec::replay::replay(&mut s, t, &a.session.profile) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("atspec replay: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        // Blessing writes new golden records, so the old ones do not judge this run.
        let golden = if a.bless { &[][..] } else { &r.golden[..] };
        match (&r.run.verdict, golden.is_empty()) {
            (Verdict::Pass, true) => {
                println!("pass {} ({} steps)", path.display(), r.run.steps.len())
            }
            (v, _) => {
                bad += 1;
                let what = if golden.is_empty() {
                    v.name()
                } else {
                    "golden"
                };
                println!("{what} {}", path.display());
                for g in golden {
                    println!("  {g}");
                }
                print!(
                    "{}",
                    super::certify::terminal_text(style, &terminal::transcript(style, &r.run))
                );
            }
        }
        if a.bless && r.run.verdict == Verdict::Pass {
            if let Err(e) = r.blessed.write(path) {
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
