//! `atspec certify`'s progress on the terminal: two bars (checks, fuzzing) drawn from the
//! library's [`Progress`] events, with a pass/fail tally and an ETA, and a line for every
//! check that did not pass, with why. A bar is shown only once it has work, and is cleared
//! when its work is done, so no empty or finished bar stays in the scrollback. Bars and lines
//! are hidden when `--quiet` or when stderr is not a terminal (the report says it all); a
//! warning always goes to stderr.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use atspec::certify::Progress;
use atspec::runner::Verdict;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The longest reason a progress line shows (the report has all of it).
const WHY_MAX: usize = 100;

/// The bars of one run.
pub struct Bars {
    multi: MultiProgress,
    checks: ProgressBar,
    fuzzing: ProgressBar,
    quiet: bool,
    passed: AtomicU64,
    failed: AtomicU64,
}

impl Bars {
    /// Bars on stderr, hidden when `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool) -> Bars {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Bars {
            multi: MultiProgress::with_draw_target(target),
            checks: bar("checks"),
            fuzzing: bar("fuzzing"),
            quiet,
            passed: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    /// Takes one event of the run.
    pub fn on(&self, p: Progress<'_>) {
        match p {
            Progress::Planned { checks, cases } => {
                self.checks.set_length(checks as u64);
                self.fuzzing.set_length(u64::from(cases));
                // Only bars with work are drawn.
                if checks > 0 {
                    self.multi.add(self.checks.clone());
                }
                if cases > 0 {
                    self.multi.add(self.fuzzing.clone());
                }
            }
            Progress::Certifying { link, spec } => {
                if !self.quiet {
                    let _ = self
                        .multi
                        .println(format!("certifying {link} against {spec}"));
                }
            }
            Progress::Check { name } => self
                .checks
                .set_message(format!("{} · {name}", self.tally())),
            Progress::Checked {
                name,
                verdict,
                device,
            } => {
                match verdict {
                    Verdict::Pass => self.passed.fetch_add(1, Ordering::Relaxed),
                    Verdict::Fail(_) | Verdict::Hung(_) => {
                        self.failed.fetch_add(1, Ordering::Relaxed)
                    }
                    // Counted in the bar's position, neither passed nor failed.
                    Verdict::Skipped(_) | Verdict::NotApplicable(_) => 0,
                };
                if let Verdict::Fail(why) | Verdict::Hung(why) = verdict {
                    let tag = device.map_or(String::new(), |d| format!(" [device {}]", d + 1));
                    let _ = self.multi.println(format!(
                        "{} {name}{tag}: {}",
                        verdict.name(),
                        shorten(why, WHY_MAX)
                    ));
                }
                self.checks.inc(1);
                if self
                    .checks
                    .length()
                    .is_some_and(|n| self.checks.position() >= n)
                {
                    self.checks.finish_and_clear();
                }
            }
            Progress::Case => {
                self.fuzzing.inc(1);
                if self
                    .fuzzing
                    .length()
                    .is_some_and(|n| self.fuzzing.position() >= n)
                {
                    self.fuzzing.set_message("done");
                }
            }
            Progress::Shrinking { runs } => {
                self.fuzzing.set_message(format!("shrinking ({runs} runs)"))
            }
            Progress::Warning(w) => self.multi.suspend(|| eprintln!("atspec: {w}")),
        }
    }

    fn tally(&self) -> String {
        format!(
            "{} pass, {} fail",
            self.passed.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed)
        )
    }

    /// Clears the bars before the report is printed.
    pub fn finish(&self) {
        self.checks.finish_and_clear();
        self.fuzzing.finish_and_clear();
        let _ = self.multi.clear();
    }
}

fn bar(what: &str) -> ProgressBar {
    let pb = ProgressBar::hidden();
    pb.set_style(
        ProgressStyle::with_template(
            "{prefix:>8} [{bar:30}] {pos}/{len} ETA {eta} ({elapsed}) {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_prefix(what.to_string());
    pb
}

/// `s` cut to about `max` characters, on a character boundary, with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    match one_line.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &one_line[..at]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_short_line() {
        assert_eq!(shorten("a\nb", 10), "a b");
        let long = "é".repeat(300);
        let s = shorten(&long, WHY_MAX);
        assert_eq!(s.chars().count(), WHY_MAX + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn the_tally_counts_what_was_judged() {
        let b = Bars::new(true);
        b.on(Progress::Planned {
            checks: 3,
            cases: 0,
        });
        let fail = Verdict::Fail("x".into());
        for v in [&Verdict::Pass, &fail, &Verdict::Hung("y".into())] {
            b.on(Progress::Checked {
                name: "c",
                verdict: v,
                device: None,
            });
        }
        assert_eq!(b.tally(), "1 pass, 2 fail");
        assert!(b.checks.is_finished());
    }
}
