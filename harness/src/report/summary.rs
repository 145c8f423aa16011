//! A report as Markdown for a CI job's summary (GitHub's `$GITHUB_STEP_SUMMARY`, a merge
//! request comment): the verdict, each profile's, what failed and what is unproved. Every
//! text from the device or a shard is untrusted: control bytes made visible, Markdown and
//! HTML specials escaped, secrets masked, and long lists cut.

use super::{Outcome, Report};
use crate::runner::Verdict;

/// The most rows a list shows; the rest is counted.
const ROWS_MAX: usize = 50;
/// The longest reason shown.
const WHY_MAX: usize = 200;

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    let s = crate::secrets::mask(&crate::bytes::neutralize(s, false));
    let mut out = String::new();
    for c in s.chars().take(WHY_MAX) {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    if s.chars().count() > WHY_MAX {
        out.push('…');
    }
    out
}

/// The report as Markdown.
pub fn markdown(r: &Report) -> String {
    let icon = match r.verdict {
        Outcome::Conformant => "✅",
        Outcome::NotConformant => "❌",
        Outcome::Incomplete => "⚠️",
    };
    let mut m = format!(
        "## {icon} atspec: {}\n\n{}\n\n",
        r.verdict.label(),
        cell(&r.verdict_line())
    );
    m.push_str(&format!(
        "{}; {} checks, {} fuzzed sequences; class {}\n\n",
        r.clause_counts(),
        r.checks.len(),
        r.fuzz.sequences,
        r.class.id()
    ));
    m.push_str("| profile | verdict | checks that differ |\n|---|---|---|\n");
    for v in &r.verdicts {
        m.push_str(&format!(
            "| {}{} | {} | {} |\n",
            cell(&v.profile),
            if v.decides { " (decides)" } else { "" },
            cell(&v.sentence()),
            cell(&v.failing_checks.join(", "))
        ));
    }
    let failed: Vec<_> = r
        .checks
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail(_) | Verdict::Hung(_)))
        .collect();
    if !failed.is_empty() || r.fuzz.failure.is_some() {
        m.push_str(&format!(
            "\n### What failed ({})\n\n| check | verdict | why |\n|---|---|---|\n",
            failed.len() + usize::from(r.fuzz.failure.is_some())
        ));
        for c in failed.iter().take(ROWS_MAX) {
            let why = match &c.verdict {
                Verdict::Fail(w) | Verdict::Hung(w) => w.as_str(),
                _ => "",
            };
            m.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&c.name),
                c.verdict.name(),
                cell(why)
            ));
        }
        if failed.len() > ROWS_MAX {
            m.push_str(&format!("| … | | {} more |\n", failed.len() - ROWS_MAX));
        }
        if let Some(t) = &r.fuzz.failure {
            let why = match &t.verdict {
                Verdict::Fail(w) | Verdict::Hung(w) => w.as_str(),
                _ => "",
            };
            m.push_str(&format!(
                "| stateful fuzzing (seed {}) | {} | {} |\n",
                r.fuzz.seed,
                t.verdict.name(),
                cell(why)
            ));
        }
    }
    if !r.gaps.is_empty() || !r.unproved.is_empty() {
        m.push_str(&format!(
            "\n### Why it is incomplete ({} clauses unproved)\n\n",
            r.unproved.len()
        ));
        for g in &r.gaps {
            m.push_str(&format!("- {}\n", cell(g)));
        }
        for u in r.unproved.iter().take(ROWS_MAX) {
            m.push_str(&format!("- `{}`: {}\n", cell(&u.clause), cell(&u.why)));
        }
        if r.unproved.len() > ROWS_MAX {
            m.push_str(&format!("- … {} more\n", r.unproved.len() - ROWS_MAX));
        }
    }
    if !r.waivers.is_empty() {
        m.push_str("\n### Waivers\n\n");
        for w in &r.waivers {
            m.push_str(&format!("- `{}`: {}\n", cell(&w.clause), cell(&w.reason)));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn untrusted_text_cannot_break_the_table_or_inject_markup() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(cell("x\ny"), "x y");
        assert!(!cell("\u{1b}[31mred").contains('\u{1b}'));
        assert!(cell(&"z".repeat(500)).ends_with('…'));
    }
}
