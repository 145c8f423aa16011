//! The terminal summary: per clause group, then every failure with a colored byte diff.

use std::fmt::Write;

use super::Report;
use crate::runner::{Transcript, Verdict};

/// ANSI colors, only when writing to a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to color.
    pub color: bool,
}

/// When to color terminal output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (to anything but the empty string).
    #[default]
    Auto,
    /// Always, even into a file or with `NO_COLOR`.
    Always,
    /// Never.
    Never,
}

impl Style {
    /// The style `choice` gives, for an output that is a terminal or not, with the value of
    /// `NO_COLOR` (<https://no-color.org>: present and not empty turns `auto` off).
    pub fn choose(
        choice: ColorChoice,
        terminal: bool,
        no_color: Option<&std::ffi::OsStr>,
    ) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        };
        Style { color }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
}

/// What the certificate rests on beyond the checks: the class when reduced, the waivers, and,
/// for an incomplete report, every unproved clause grouped by why.
fn evidence(style: Style, r: &Report) -> String {
    let mut s = String::new();
    if r.class != super::Class::Https {
        let _ = writeln!(s, "class:  {}", r.class.description());
    }
    for w in &r.waivers {
        let _ = writeln!(s, "{} {}: {}", style.yellow("waived"), w.clause, w.reason);
    }
    for g in &r.gaps {
        let _ = writeln!(s, "{} {g}", style.yellow("incomplete"));
    }
    for l in r.traffic.lines() {
        let _ = writeln!(s, "{} {l}", style.yellow("traffic"));
    }
    let mut by_why: Vec<(&str, Vec<&str>)> = Vec::new();
    for g in &r.unproved {
        match by_why.iter_mut().find(|(w, _)| *w == g.why) {
            Some((_, ids)) => ids.push(&g.clause),
            None => by_why.push((&g.why, vec![&g.clause])),
        }
    }
    for (why, ids) in by_why {
        // A partial run leaves most clauses unselected: their count says enough.
        let list = if ids.len() > 12 {
            format!("{} clauses", ids.len())
        } else {
            ids.join(", ")
        };
        let _ = writeln!(s, "{} {list}: {why}", style.yellow("unproved"));
    }
    s
}

/// A byte diff of two escaped strings: the common prefix dim, the first difference onward
/// colored (expected green, actual red).
pub fn diff(style: Style, expected: &str, actual: &str) -> String {
    let at = expected
        .char_indices()
        .zip(actual.chars())
        .find(|((_, a), b)| a != b)
        .map(|((i, _), _)| i)
        .unwrap_or(expected.len().min(actual.len()));
    let at = (0..=at)
        .rev()
        .find(|i| expected.is_char_boundary(*i) && actual.is_char_boundary(*i))
        .unwrap_or(0);
    let from = at.saturating_sub(60);
    let from = (0..=from)
        .rev()
        .find(|i| expected.is_char_boundary(*i) && actual.is_char_boundary(*i))
        .unwrap_or(0);
    // A long answer is cut after the difference too: the window is what a reader needs.
    let tail = |s: &str| -> (usize, String) {
        let end = s[at..]
            .char_indices()
            .nth(TAIL_MAX)
            .map_or(s.len(), |(i, _)| at + i);
        let more = s[end..].chars().count();
        let note = if more > 0 {
            format!(" … {more} chars more")
        } else {
            String::new()
        };
        (end, note)
    };
    let (e_end, e_more) = tail(expected);
    let (a_end, a_more) = tail(actual);
    let cut = if from > 0 { "… " } else { "" };
    format!(
        "    expected: {cut}{}{}{}\n    actual:   {cut}{}{}{}\n",
        style.dim(&expected[from..at]),
        style.green(&expected[at..e_end]),
        style.dim(&e_more),
        style.dim(&actual[from..at]),
        style.red(&actual[at..a_end]),
        style.dim(&a_more)
    )
}

/// Characters of an answer shown from its first difference on.
const TAIL_MAX: usize = 100;

/// Failing steps of a transcript with their diffs.
pub fn transcript(style: Style, t: &Transcript) -> String {
    let mut s = String::new();
    for r in &t.records {
        let Some(m) = &r.mismatch else { continue };
        let _ = writeln!(s, "  {m}");
        if let Some((e, a, _)) = &r.diff {
            s.push_str(&diff(style, e, a));
        }
    }
    if !t.recovery.is_empty() {
        let _ = writeln!(s, "  recovery: {}", t.recovery.join(" → "));
    }
    s
}

/// The summary: the device, the groups' counts, what failed, the evidence and the verdict.
pub fn render(style: Style, r: &Report) -> String {
    let mut s = String::new();
    device_lines(&mut s, style, r);
    group_lines(&mut s, style, r);
    check_lines(&mut s, style, r);
    fuzz_lines(&mut s, style, r);
    s.push_str(&evidence(style, r));
    verdict_lines(&mut s, style, r);
    s
}

/// Clause counts per group, in the spec's order: pass, fail, hung, skipped, not run.
fn group_counts(r: &Report) -> Vec<(&str, [usize; 5])> {
    let mut groups: Vec<(&str, [usize; 5])> = Vec::new();
    for c in &r.clauses {
        let i = [
            "pass",
            "fail",
            "hung",
            "skipped",
            "unchecked",
            "not applicable",
        ]
        .iter()
        .position(|v| *v == c.verdict)
        .map_or(4, |i| i.min(4));
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, n)) => n[i] += 1,
            None => {
                let mut n = [0; 5];
                n[i] = 1;
                groups.push((&c.group, n));
            }
        }
    }
    groups
}

/// Which device (or devices), the spec and the shard.
fn device_lines(s: &mut String, style: Style, r: &Report) {
    if r.devices.len() > 1 {
        for (i, d) in r.devices.iter().enumerate() {
            let _ = writeln!(
                s,
                "device {}: {} ({}) — {}: {} checks, {} failing, {} fuzzed sequences{}",
                i + 1,
                d.identity.link,
                d.identity.version.join(" / "),
                if d.clean {
                    style.green("nothing failed")
                } else {
                    style.red("failures")
                },
                d.checks,
                d.failing_checks.len(),
                d.fuzz_cases,
                d.identity
                    .uart_log
                    .as_ref()
                    .map(|l| format!("; UART log {l}"))
                    .unwrap_or_default()
            );
        }
    } else {
        let _ = writeln!(
            s,
            "device: {} ({})",
            r.device.link,
            r.device.version.join(" / ")
        );
        if let Some(l) = &r.device.uart_log {
            let _ = writeln!(s, "uart:   {l}");
        }
        if let Some(f) = &r.device.firmware {
            let _ = writeln!(s, "image:  {}", f.summary());
        }
        // Worth a line only when it widened the windows noticeably.
        if let Some(ms) = r.device.latency_ms.filter(|&ms| ms >= 10) {
            let _ = writeln!(
                s,
                "link:   round trip {ms} ms (quiet windows widened by {} ms)",
                ms * 3 / 2
            );
        }
    }
    let _ = writeln!(s, "spec:   {}", r.spec);
    if let Some(shard) = &r.device.shard {
        let _ = writeln!(
            s,
            "shard:  {shard} (this report covers its share of the checks and fuzzed cases)"
        );
    }
}

/// One line per clause group.
fn group_lines(s: &mut String, style: Style, r: &Report) {
    for (g, n) in &group_counts(r) {
        let bad = n[1] + n[2];
        let mark = if bad > 0 {
            style.red("FAIL")
        } else {
            style.green(" ok ")
        };
        let _ = writeln!(
            s,
            "  {mark} {g:<12} {:>3} pass {:>3} fail {:>3} hung {:>3} skipped{}",
            n[0],
            n[1],
            n[2],
            n[3],
            if n[4] > 0 {
                format!(" {:>3} not run", n[4])
            } else {
                String::new()
            }
        );
    }
}

/// Every check that failed, hung, was skipped or differs under the second profile.
fn check_lines(s: &mut String, style: Style, r: &Report) {
    for c in &r.checks {
        match &c.verdict {
            Verdict::Fail(why) | Verdict::Hung(why) => {
                // Why, on the line itself (a hung check's wait, a failure's first
                // mismatch), one line of it: the transcript below has the rest.
                let why: String = why.replace(['\n', '\r'], " ").chars().take(160).collect();
                let _ = writeln!(
                    s,
                    "{} {} [{}]: {why}",
                    style.red(c.verdict.name()),
                    c.name,
                    super::cite(&c.clauses)
                );
                if let Some(t) = &c.transcript {
                    s.push_str(&transcript(style, t));
                }
            }
            Verdict::Skipped(why) => {
                let _ = writeln!(s, "{} {}: {why}", style.dim("skipped"), c.name);
            }
            Verdict::Pass | Verdict::NotApplicable(_) => {}
        }
        if let Some(j) = &c.second
            && let Verdict::Fail(why) | Verdict::Hung(why) = &j.verdict
        {
            let _ = writeln!(
                s,
                "{} {} [{}]: {why}",
                style.dim("differs"),
                c.name,
                j.profile
            );
        }
    }
    let na = r
        .checks
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::NotApplicable(_)))
        .count();
    if na > 0 {
        let _ = writeln!(
            s,
            "{} {na} checks: they need commands {} lacks",
            style.dim("not applicable"),
            r.verdicts
                .first()
                .map_or("the profile", |v| v.name.as_str())
        );
    }
}

/// The shrunk fuzzing failure with where it was saved, and the second profile's differences.
fn fuzz_lines(s: &mut String, style: Style, r: &Report) {
    if let Some(t) = &r.fuzz.failure {
        let _ = writeln!(
            s,
            "{} fuzzing (seed {}), shrunk to {} steps:",
            style.red("fail"),
            r.fuzz.seed,
            t.steps.len()
        );
        s.push_str(&transcript(style, t));
        if !t.note.is_empty() {
            let _ = writeln!(s, "  {}", t.note);
        }
        if let Some(p) = &r.fuzz.saved {
            let _ = writeln!(s, "  saved: {p}  (atspec replay {p})");
        }
        if let Some(p) = &r.fuzz.original {
            let _ = writeln!(s, "  before shrinking: {p}");
        }
        let _ = writeln!(
            s,
            "  {} of {} fuzzed sequences failed; shrinking took {} runs",
            r.fuzz.failing, r.fuzz.sequences, r.fuzz.shrink_runs
        );
        for p in &r.fuzz.others {
            let _ = writeln!(s, "  another kind of failure: {p}  (atspec replay {p})");
        }
    }
    if r.fuzz.second_differences > 0 {
        let _ = writeln!(
            s,
            "{} {} fuzzed sequences under {}",
            style.dim("differs"),
            r.fuzz.second_differences,
            r.verdicts.get(1).map_or("", |v| v.profile.as_str())
        );
    }
}

/// How the profile was chosen, and the verdict with the totals.
fn verdict_lines(s: &mut String, style: Style, r: &Report) {
    let t = &r.totals;
    let verdict = r.verdict_line();
    let verdict = match r.verdict {
        super::Outcome::Conformant => style.green(&verdict),
        super::Outcome::NotConformant => style.red(&verdict),
        super::Outcome::Incomplete => style.yellow(&verdict),
    };
    let _ = writeln!(s, "profile: {}", r.profile_choice);
    let _ = writeln!(
        s,
        "{verdict}: {} pass, {} fail, {} hung, {} skipped{} of {} clauses; {} checks, {} fuzzed sequences ({} steps) in {:.1} s",
        t.pass,
        t.fail,
        t.hung,
        t.skipped,
        if t.not_applicable > 0 {
            format!(", {} not applicable", t.not_applicable)
        } else {
            String::new()
        },
        r.clauses.len(),
        r.checks.len(),
        r.fuzz.sequences,
        r.fuzz.steps,
        r.wall_ms as f64 / 1000.0
    );
}

#[cfg(test)]
mod color_tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn a_long_answer_is_cut_around_its_first_difference() {
        let plain = Style { color: false };
        let e = "a".repeat(5000) + "X" + &"b".repeat(5000);
        let a = "a".repeat(5000) + "Y" + &"b".repeat(5000);
        let d = diff(plain, &e, &a);
        assert!(d.len() < 600, "{}", d.len());
        assert!(
            d.contains("… aaaa") && d.contains("Xbbb") && d.contains("Ybbb"),
            "{d}"
        );
        assert!(d.contains(" … 4901 chars more"), "{d}");
        // Short answers are whole.
        assert_eq!(
            diff(plain, "OK", "ER"),
            "    expected: OK\n    actual:   ER\n"
        );
    }

    #[test]
    fn no_color_turns_auto_off_and_the_flag_wins() {
        let empty = Some(OsStr::new(""));
        let set = Some(OsStr::new("1"));
        assert!(Style::choose(ColorChoice::Auto, true, None).color);
        assert!(Style::choose(ColorChoice::Auto, true, empty).color);
        assert!(!Style::choose(ColorChoice::Auto, true, set).color);
        assert!(!Style::choose(ColorChoice::Auto, false, None).color);
        assert!(Style::choose(ColorChoice::Always, false, set).color);
        assert!(!Style::choose(ColorChoice::Never, true, None).color);
    }
}
