//! `atspec certify`'s progress on the terminal: two bars (checks, fuzzing) drawn from the
//! library's [`Progress`] events, and a line for every check that did not pass. Bars and
//! lines are hidden when `--quiet` or when stderr is not a terminal (the report says it all);
//! a warning always goes to stderr.

use std::io::IsTerminal;

use atspec::certify::Progress;
use atspec::runner::Verdict;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bars of one run.
pub struct Bars {
    checks: ProgressBar,
    fuzzing: ProgressBar,
    quiet: bool,
}

impl Bars {
    /// Bars on stderr, hidden when `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool) -> Bars {
        Bars {
            checks: bar(quiet, "checks"),
            fuzzing: bar(quiet, "fuzzing"),
            quiet,
        }
    }

    /// Takes one event of the run.
    pub fn on(&self, p: Progress<'_>) {
        match p {
            Progress::Planned { checks, cases } => {
                self.checks.set_length(checks as u64);
                self.fuzzing.set_length(u64::from(cases));
            }
            Progress::Certifying { link, spec } => {
                if !self.quiet {
                    self.checks
                        .println(format!("certifying {link} against {spec}"));
                }
            }
            Progress::Check { name } => self.checks.set_message(name),
            Progress::Checked {
                name,
                verdict,
                device,
            } => {
                if !matches!(
                    verdict,
                    Verdict::Pass | Verdict::Skipped(_) | Verdict::NotApplicable(_)
                ) {
                    let tag = device.map_or(String::new(), |d| format!(" [device {}]", d + 1));
                    self.checks
                        .println(format!("{} {name}{tag}", verdict.name()));
                }
                self.checks.inc(1);
            }
            Progress::Case => self.fuzzing.inc(1),
            Progress::Shrinking { runs } => {
                self.fuzzing.set_message(format!("shrinking ({runs} runs)"))
            }
            Progress::Warning(w) => self.checks.suspend(|| eprintln!("atspec: {w}")),
        }
    }

    /// Clears the bars before the report is printed.
    pub fn finish(&self) {
        self.checks.finish_and_clear();
        self.fuzzing.finish_and_clear();
    }
}

fn bar(quiet: bool, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(
        Some(0),
        if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    pb.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:40}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_prefix(what.to_string());
    pb
}
