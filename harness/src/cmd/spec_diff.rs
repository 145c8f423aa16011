//! `atspec spec diff OLD NEW [--format text|markdown|json]`: every classified change with
//! where it sits in both files (`file:line`), as text for a terminal, Markdown for a pull
//! request comment, or JSON for a tool.

use std::path::Path;

use atspec_spec::diff::{Change, Report};

/// `--format` of `spec diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiffFormat {
    /// One line per change, then the totals and the legend.
    #[default]
    Text,
    /// A table for a pull request comment.
    Markdown,
    /// One object per change, and the totals.
    Json,
}

/// What "firmware" and "host" mean in the verdicts: said in every output, since a vendor with
/// firmware of its own would read "firmware: compatible" otherwise.
pub const LEGEND: &str = "firmware: firmware built on the parser and dispatcher atspec generates from the spec (`device!`); firmware written by hand must check every change itself. host: software driving a device over the command set (the harness, AT client libraries).";

/// The 1-based line of `subject` in a spec's text: each word of it found in turn, each on
/// or after the line of the one before (`AT+HTTPCGET set tx_size`: the command, then its
/// parameter); `None` when the first word is not in the file.
pub fn locate(text: &str, subject: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let words: Vec<&str> = subject
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| w.len() > 1 && !matches!(*w, "set" | "query" | "test" | "execute"))
        .collect();
    let mut at: Option<usize> = None;
    for (i, w) in words.iter().enumerate() {
        let from = at.unwrap_or(0);
        match lines[from..].iter().position(|l| l.contains(w)) {
            Some(n) => at = Some(from + n),
            None if i == 0 => return None,
            None => break,
        }
    }
    at.map(|n| n + 1)
}

/// `path:line` of a change's subject in one file, or `-` when that file does not have it.
fn place(path: &Path, text: &str, c: &Change) -> String {
    locate(text, &c.subject).map_or_else(|| "-".into(), |l| format!("{}:{l}", path.display()))
}

/// The report in `format`; `old` and `new` are the files' paths and texts.
pub fn render(
    report: &Report,
    format: DiffFormat,
    old: (&Path, &str),
    new: (&Path, &str),
) -> String {
    let places: Vec<(String, String)> = report
        .changes
        .iter()
        .map(|c| (place(old.0, old.1, c), place(new.0, new.1, c)))
        .collect();
    let breaking = report.changes.iter().filter(|c| c.breaking()).count();
    match format {
        DiffFormat::Text => {
            let mut s = String::new();
            for (c, (o, n)) in report.changes.iter().zip(&places) {
                s.push_str(&format!("{c}\n    {o} → {n}\n"));
            }
            s.push_str(&format!("{report}\n\n{LEGEND}\n"));
            s
        }
        DiffFormat::Markdown => {
            let mut s = format!(
                "### Spec changes: {} ({breaking} breaking)\n\n| | change | subject | firmware | host | old | new |\n|---|---|---|---|---|---|---|\n",
                report.changes.len()
            );
            for (c, (o, n)) in report.changes.iter().zip(&places) {
                let cell = |t: &str| t.replace('|', "\\|").replace('\n', " ");
                let detail = if c.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", cell(&c.detail))
                };
                s.push_str(&format!(
                    "| {} | {} | `{}`{detail} | {} | {} | {} | {} |\n",
                    if c.breaking() { "❌" } else { "✅" },
                    c.kind.label(),
                    cell(&c.subject),
                    c.firmware,
                    c.host,
                    cell(o),
                    cell(n)
                ));
            }
            s.push_str(&format!("\n_{LEGEND}_\n"));
            s
        }
        DiffFormat::Json => {
            let changes: Vec<serde_json::Value> = report
                .changes
                .iter()
                .zip(&places)
                .map(|(c, (o, n))| {
                    serde_json::json!({
                        "kind": c.kind.label(),
                        "subject": c.subject,
                        "detail": c.detail,
                        "firmware": c.firmware.to_string(),
                        "host": c.host.to_string(),
                        "breaking": c.breaking(),
                        "old": o,
                        "new": n,
                    })
                })
                .collect();
            let v = serde_json::json!({
                "changes": changes,
                "breaking": breaking,
                "compatible": report.changes.len() - breaking,
                "legend": LEGEND,
            });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn a_subject_is_found_word_by_word() {
        let text = "commands:\n  - name: AT+HTTPCGET\n    params:\n      - name: url\n      - name: tx_size\n  - name: AT+HTTPCPUT\n      - name: tx_size\n";
        assert_eq!(locate(text, "AT+HTTPCGET set tx_size"), Some(5));
        assert_eq!(locate(text, "AT+HTTPCPUT set tx_size"), Some(7));
        assert_eq!(locate(text, "AT+NOPE"), None);
    }
}
