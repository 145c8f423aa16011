//! What a certificate rests on: how much of a certification a report holds, which clauses it
//! proved, what a certifier waived, and the three-way answer that follows.
//!
//! Conformance testing (ISO/IEC 9646, ETSI) has three verdicts: pass, fail and inconclusive.
//! At the level of a whole device they are [`Outcome::Conformant`] (every clause of the deciding
//! profile, within the device's conformance class, proved by a check that ran and passed, and
//! the fuzzing the certification asked for run in full), [`Outcome::NotConformant`] (something
//! failed or hung) and [`Outcome::Incomplete`] (nothing failed, something was not proved: the
//! report lists each such clause and why). Skipped, partial, merged-incomplete or claimed-away
//! evidence can therefore never yield a certificate.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The answer a report gives, and the exit status of `certify` and `report merge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every clause proved (or deliberately waived), fuzzing complete, nothing failed.
    Conformant,
    /// A check failed or hung, or fuzzing found a failure.
    NotConformant,
    /// Nothing failed, but the evidence does not cover every clause.
    Incomplete,
}

impl Outcome {
    /// Exit status: 0 conformant, 1 not conformant, 3 incomplete (2 is "could not answer").
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Conformant => 0,
            Outcome::NotConformant => 1,
            Outcome::Incomplete => 3,
        }
    }

    /// `CONFORMANT`, `NOT CONFORMANT`, `INCOMPLETE`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Conformant => "CONFORMANT",
            Outcome::NotConformant => "NOT CONFORMANT",
            Outcome::Incomplete => "INCOMPLETE",
        }
    }
}

/// How much of a certification a report holds: a split run's shards, a `--clause` selection,
/// the fuzzing asked for. `report merge` compares these to tell a whole certification from a
/// part of one, and a shard of this certification from a foreign one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Into how many shards the certification was split (1: it was not).
    pub shard_count: u32,
    /// The shards this report holds, 1-based, ascending.
    pub shards: Vec<u32>,
    /// A partial run's `--clause` selection (empty: every check).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<String>,
    /// `--check` patterns of a partial run (empty: not selected by check).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// The checks that wait on purpose were skipped (`--skip-timing`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_timing: bool,
    /// Fuzzed sequences the whole certification asks for (every shard together).
    pub cases: u32,
    /// The certification's seed (shard I fuzzes with seed + I − 1).
    pub seed: u64,
}

impl Default for Scope {
    /// A whole run with no fuzzing.
    fn default() -> Self {
        Scope {
            shard_count: 1,
            shards: vec![1],
            clauses: Vec::new(),
            checks: Vec::new(),
            skip_timing: false,
            cases: 0,
            seed: 0,
        }
    }
}

impl Scope {
    /// Shards of the certification that this report does not hold.
    pub fn missing_shards(&self) -> Vec<u32> {
        (1..=self.shard_count)
            .filter(|i| !self.shards.contains(i))
            .collect()
    }

    /// Whether only some checks were selected (`--clause`, `--check`).
    pub fn partial(&self) -> bool {
        !self.clauses.is_empty() || !self.checks.is_empty()
    }

    /// Why the report cannot stand for the whole certification, whatever its clauses say:
    /// a `--clause` selection, missing shards, fuzzing cut short.
    pub fn gaps(&self, fuzz_cases_run: u32) -> Vec<String> {
        let mut gaps = Vec::new();
        if self.partial() {
            let mut what = Vec::new();
            if !self.clauses.is_empty() {
                what.push(format!(
                    "the checks of {} (--clause)",
                    self.clauses.join(", ")
                ));
            }
            if !self.checks.is_empty() {
                what.push(format!("the checks {} (--check)", self.checks.join(", ")));
            }
            gaps.push(format!(
                "partial run: only {}, and no fuzzing",
                what.join(" and ")
            ));
        }
        if self.skip_timing {
            gaps.push(
                "timing checks skipped (--skip-timing): their clauses are unproved".to_string(),
            );
        }
        let missing = self.missing_shards();
        if !missing.is_empty() {
            gaps.push(format!(
                "shard{} {} of {} missing: this report holds {}; merge every shard's report with `atspec report merge`",
                if missing.len() == 1 { "" } else { "s" },
                list(&missing),
                self.shard_count,
                list(&self.shards)
            ));
        } else if !self.partial() && fuzz_cases_run < self.cases {
            gaps.push(format!(
                "fuzzing ran {fuzz_cases_run} of the {} sequences asked for",
                self.cases
            ));
        }
        let floor = crate::syntax::host::limits::CERTIFICATE_FUZZ_CASES_MIN_DEFAULT;
        if !self.partial() && i64::from(self.cases) < floor {
            gaps.push(format!(
                "no fuzzing: {} sequences asked for (--cases); a certificate includes at least {floor}",
                self.cases
            ));
        }
        gaps
    }
}

fn list(ns: &[u32]) -> String {
    ns.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// A clause of the deciding profile that the report does not prove, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// Clause id.
    pub clause: String,
    /// Why it is unproved: "needs --pki …", "not selected (--clause)", …
    pub why: String,
}

/// A clause a certifier exempts on purpose (`--waive FILE`). A waiver covers a clause that was
/// not proved; it never turns a failure into a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// Clause id.
    pub clause: String,
    /// The certifier's reason, shown in every report.
    pub reason: String,
}

/// The largest waiver file read (a list of clause ids with a sentence each).
pub const WAIVER_FILE_MAX: u64 = 256 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverEntry {
    clause: serde_saphyr::Spanned<String>,
    reason: serde_saphyr::Spanned<String>,
}

/// Reads a waiver file, a YAML list of `{clause: ID, reason: TEXT}`; every problem (an unknown
/// clause, an empty reason, a clause waived twice) is reported at `file:line:col`.
pub fn load_waivers(path: &Path) -> Result<Vec<Waiver>, String> {
    let text = crate::files::read_input(path, WAIVER_FILE_MAX, "waiver file")?;
    parse_waivers(&path.display().to_string(), &text)
}

/// Parses waiver text; `file` names it in errors.
pub fn parse_waivers(file: &str, text: &str) -> Result<Vec<Waiver>, String> {
    let entries: Vec<WaiverEntry> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str(text)
            .map_err(|e| atspec_spec::yaml_diagnostic(file, &e).to_string())?
    };
    let at = |l: &serde_saphyr::Location| format!("{file}:{}:{}", l.line(), l.column());
    let mut errors = Vec::new();
    let mut out: Vec<Waiver> = Vec::new();
    for e in entries {
        let id = e.clause.value.trim().to_string();
        if crate::syntax::host::Clause::from_id(&id).is_none() {
            errors.push(format!(
                "{}: error: unknown clause `{id}` (atspec spec doc lists them)",
                at(&e.clause.referenced)
            ));
        } else if out.iter().any(|w| w.clause == id) {
            errors.push(format!(
                "{}: error: `{id}` is waived twice",
                at(&e.clause.referenced)
            ));
        } else if e.reason.value.trim().is_empty() {
            errors.push(format!(
                "{}: error: the waiver of `{id}` needs a reason",
                at(&e.reason.referenced)
            ));
        } else {
            out.push(Waiver {
                clause: id,
                reason: e.reason.value.trim().to_string(),
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waivers_read_and_bad_ones_point_at_file_line_col() {
        let w = parse_waivers(
            "w.yaml",
            "- clause: HTTPCFG.CLIENT_CERT\n  reason: certified separately\n",
        )
        .unwrap();
        assert_eq!(
            w,
            vec![Waiver {
                clause: "HTTPCFG.CLIENT_CERT".into(),
                reason: "certified separately".into()
            }]
        );
        let e = parse_waivers(
            "w.yaml",
            "- clause: NO.SUCH\n  reason: x\n- clause: HTTPCFG.CLIENT_CERT\n  reason: ' '\n",
        )
        .unwrap_err();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines.len(), 2, "{e}");
        assert!(
            lines[0].starts_with("w.yaml:1:11: error: unknown clause `NO.SUCH`"),
            "{e}"
        );
        assert!(lines[1].starts_with("w.yaml:4:11: error:"), "{e}");
        assert!(lines[1].contains("needs a reason"), "{e}");
        let e = parse_waivers("w.yaml", "- clause: HTTPCFG.CLIENT_CERT\n  reason: a\n- clause: HTTPCFG.CLIENT_CERT\n  reason: b\n").unwrap_err();
        assert!(e.contains("waived twice"), "{e}");
        let e = parse_waivers("w.yaml", "- clause: HTTPCFG.CLIENT_CERT\n").unwrap_err();
        assert!(e.starts_with("w.yaml:1:"), "{e}");
    }

    #[test]
    fn a_scope_names_what_it_lacks() {
        let whole = Scope {
            cases: 10,
            ..Scope::default()
        };
        assert!(whole.gaps(10).is_empty());
        assert_eq!(
            whole.gaps(4),
            vec!["fuzzing ran 4 of the 10 sequences asked for"]
        );
        let shard = Scope {
            shard_count: 4,
            shards: vec![1, 3],
            ..whole.clone()
        };
        assert_eq!(shard.missing_shards(), vec![2, 4]);
        assert!(shard.gaps(10)[0].starts_with("shards 2, 4 of 4 missing: this report holds 1, 3;"));
        let partial = Scope {
            clauses: vec!["HTTPCHEAD.QUERY".into()],
            ..whole
        };
        assert!(partial.gaps(0)[0].starts_with("partial run: only the checks of HTTPCHEAD.QUERY"));
        assert_eq!(partial.gaps(0).len(), 1);
        // A run without fuzzing is no certificate, whatever its checks did.
        let unfuzzed = Scope::default();
        assert_eq!(
            unfuzzed.gaps(0),
            vec!["no fuzzing: 0 sequences asked for (--cases); a certificate includes at least 1"]
        );
        let one = Scope {
            cases: 1,
            ..Scope::default()
        };
        assert!(one.gaps(1).is_empty());
    }
}

/// The most of a UART log one check's excerpt keeps.
pub const EXCERPT_MAX: u64 = 16 * 1024;

/// Bytes `from..to` of the UART log at `path`, its last [`EXCERPT_MAX`] bytes when longer
/// (cut at a line start and saying so); `None` when it cannot be read or is empty. The log
/// is already masked and escaped by the link that wrote it.
pub fn log_excerpt(path: &Path, from: u64, to: u64) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let start = from.max(to.saturating_sub(EXCERPT_MAX));
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(start)).ok()?;
    let mut buf = Vec::new();
    f.take(to.saturating_sub(start))
        .read_to_end(&mut buf)
        .ok()?;
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    if start > from {
        let cut = text.find('\n').map_or(0, |i| i + 1);
        text = format!(
            "… {} earlier bytes of this check's log left out\n{}",
            start - from + cut as u64,
            &text[cut..]
        );
    }
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod excerpt_tests {
    use super::*;

    #[test]
    fn an_excerpt_is_the_range_or_its_end_in_whole_lines() {
        let dir = std::env::temp_dir().join(format!("atspec-excerpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("uart.log");
        let line = "    0.000100 > AT\\r\\n\n";
        let log = line.repeat(2000);
        std::fs::write(&p, &log).unwrap();
        let one = log_excerpt(&p, line.len() as u64, 2 * line.len() as u64).unwrap();
        assert_eq!(one, line);
        let long = log_excerpt(&p, 0, log.len() as u64).unwrap();
        assert!(long.starts_with("… "), "{}", &long[..60]);
        assert!(long.len() as u64 <= EXCERPT_MAX + 64);
        assert!(long.ends_with(line));
        assert!(long.lines().skip(1).all(|l| format!("{l}\n") == line));
        assert_eq!(log_excerpt(&p, 5, 5), None);
        assert_eq!(log_excerpt(&dir.join("missing"), 0, 9), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
