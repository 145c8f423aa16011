//! JUnit XML: one test suite per clause group, one test case per check (and one for fuzzing).
//! Transcripts are embedded with CR, NUL, other control bytes and ANSI escapes made visible,
//! because XML 1.0 cannot carry them and CI viewers drop or mangle them.

use super::Report;
use crate::runner::Verdict;

pub use crate::bytes::xml_text;

/// Renders the report as JUnit XML.
pub fn render(r: &Report) -> String {
    let mut groups: Vec<(String, Vec<&super::CheckResult>)> = Vec::new();
    for c in &r.checks {
        let g = c.name.split('.').next().unwrap_or("checks").to_string();
        match groups.iter_mut().find(|(n, _)| *n == g) {
            Some((_, v)) => v.push(c),
            None => groups.push((g, vec![c])),
        }
    }
    let count = |v: &[&super::CheckResult], what: &str| {
        v.iter().filter(|c| c.verdict.name() == what).count()
    };
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // Both verdicts, for CI systems that show only the header.
    x.push_str(&format!(
        "<!-- {} -->\n",
        r.verdict_line().replace("--", "- -")
    ));
    let fails: usize = r
        .checks
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail(_) | Verdict::Hung(_)))
        .count()
        + usize::from(r.fuzz.failure.is_some());
    // The certificate is a test case of its own: an incomplete report is an error, never a
    // green run.
    let incomplete = usize::from(r.verdict == super::Outcome::Incomplete);
    x.push_str(&format!(
        "<testsuites name=\"atspec certify\" tests=\"{}\" failures=\"{fails}\" errors=\"{incomplete}\" time=\"{:.3}\">\n",
        r.checks.len() + 2,
        r.wall_ms as f64 / 1000.0
    ));
    for (g, cs) in &groups {
        x.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
            xml_text(g),
            cs.len(),
            count(cs, "fail") + count(cs, "hung"),
            count(cs, "skipped") + count(cs, "not applicable"),
            cs.iter().map(|c| c.ms).sum::<u64>() as f64 / 1000.0
        ));
        for c in cs {
            x.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">\n",
                xml_text(g),
                xml_text(&c.name),
                c.ms as f64 / 1000.0
            ));
            let second = c
                .second
                .as_ref()
                .map(|j| {
                    format!(
                        "<property name=\"{}\" value=\"{}\"/>",
                        xml_text(&format!("verdict under {}", j.profile)),
                        xml_text(&match &j.verdict {
                            Verdict::Pass => "pass".to_string(),
                            v @ (Verdict::Fail(w)
                            | Verdict::Hung(w)
                            | Verdict::Skipped(w)
                            | Verdict::NotApplicable(w)) => format!("{}: {w}", v.name()),
                        })
                    )
                })
                .unwrap_or_default();
            x.push_str(&format!(
                "      <properties><property name=\"clauses\" value=\"{}\"/>{second}</properties>\n",
                xml_text(&super::cite(&c.clauses))
            ));
            match &c.verdict {
                Verdict::Pass => {}
                Verdict::Skipped(why) | Verdict::NotApplicable(why) => {
                    x.push_str(&format!("      <skipped message=\"{}\"/>\n", xml_text(why)))
                }
                Verdict::Fail(why) | Verdict::Hung(why) => {
                    let kind = c.verdict.name();
                    let body = c
                        .transcript
                        .as_ref()
                        .map(transcript_text)
                        .unwrap_or_default();
                    x.push_str(&format!(
                        "      <failure type=\"{kind}\" message=\"{}\">{}</failure>\n",
                        xml_text(why),
                        xml_text(&body)
                    ));
                    x.push_str(&system_out(r, c, &body));
                }
            }
            x.push_str("    </testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    // A stable name, so CI keeps one history for it; the seed and count are properties.
    let fuzz_s = r.fuzz.ms as f64 / 1000.0;
    x.push_str(&format!(
        "  <testsuite name=\"fuzz\" tests=\"1\" failures=\"{}\" time=\"{fuzz_s:.3}\">\n",
        usize::from(r.fuzz.failure.is_some())
    ));
    x.push_str(&format!(
        "    <testcase classname=\"fuzz\" name=\"stateful fuzzing\" time=\"{fuzz_s:.3}\">\n      <properties><property name=\"seed\" value=\"{}\"/><property name=\"sequences\" value=\"{}\"/><property name=\"steps\" value=\"{}\"/></properties>\n",
        r.fuzz.seed, r.fuzz.cases, r.fuzz.steps
    ));
    if let Some(t) = &r.fuzz.failure {
        let why = match &t.verdict {
            Verdict::Fail(w) | Verdict::Hung(w) => w.clone(),
            _ => String::new(),
        };
        x.push_str(&format!(
            "      <failure type=\"fuzz\" message=\"{}\">{}</failure>\n",
            xml_text(&why),
            xml_text(&transcript_text(t))
        ));
    }
    x.push_str("    </testcase>\n  </testsuite>\n");
    x.push_str(&certificate(r));
    x.push_str("</testsuites>\n");
    x
}

/// A failing check's `system-out`: the exchange and the device's UART log while it ran, as
/// CI viewers show them beside the failure.
fn system_out(r: &Report, c: &super::CheckResult, exchange: &str) -> String {
    let mut out = format!("exchange:\n{exchange}");
    if let Some(log) = &c.uart_excerpt {
        let path = r
            .devices
            .get(c.device)
            .and_then(|d| d.identity.uart_log.clone())
            .or_else(|| r.device.uart_log.clone())
            .unwrap_or_default();
        out.push_str(&format!("\nUART log ({path}), this check:\n{log}"));
    }
    format!("      <system-out>{}</system-out>\n", xml_text(&out))
}

/// The `certificate` suite: one case whose outcome is the report's verdict, with the class,
/// the waivers and every unproved clause.
fn certificate(r: &Report) -> String {
    let mut x = String::new();
    let (failures, errors) = match r.verdict {
        super::Outcome::Conformant => (0, 0),
        super::Outcome::NotConformant => (1, 0),
        super::Outcome::Incomplete => (0, 1),
    };
    x.push_str(&format!(
        "  <testsuite name=\"certificate\" tests=\"1\" failures=\"{failures}\" errors=\"{errors}\" time=\"0.000\">\n    <testcase classname=\"certificate\" name=\"verdict\" time=\"0.000\">\n      <properties>"
    ));
    let mut prop = |name: &str, value: &str| {
        x.push_str(&format!(
            "<property name=\"{}\" value=\"{}\"/>",
            xml_text(name),
            xml_text(value)
        ))
    };
    prop("verdict", r.verdict.label());
    prop("class", r.class.id());
    for w in &r.waivers {
        prop("waiver", &format!("{}: {}", w.clause, w.reason));
    }
    for l in r.traffic.lines() {
        prop("traffic", l.trim());
    }
    x.push_str("</properties>\n");
    let line = xml_text(&r.verdict_line());
    match r.verdict {
        super::Outcome::Conformant => {}
        super::Outcome::NotConformant => x.push_str(&format!(
            "      <failure type=\"not conformant\" message=\"{line}\"/>\n"
        )),
        super::Outcome::Incomplete => {
            let mut body: Vec<String> = r.gaps.clone();
            body.extend(
                r.unproved
                    .iter()
                    .map(|g| format!("{}: {}", g.clause, g.why)),
            );
            x.push_str(&format!(
                "      <error type=\"incomplete\" message=\"{line}\">{}</error>\n",
                xml_text(&body.join("\n"))
            ));
        }
    }
    x.push_str("    </testcase>\n  </testsuite>\n");
    x
}

/// A transcript as plain text: each step, what was expected and what came.
pub fn transcript_text(t: &crate::runner::Transcript) -> String {
    let mut s = String::new();
    for r in &t.records {
        match &r.step {
            crate::world::step::Step::Mock { scenario } => s.push_str(&format!(
                "mock: status {} body {} bytes {:?}\n",
                scenario.status,
                scenario.body.0.len(),
                scenario.framing
            )),
            crate::world::step::Step::Pause { ms } => {
                s.push_str(&format!("pause: {ms} ms, silent\n"));
                if let Some(m) = &r.mismatch {
                    s.push_str(&format!("  MISMATCH: {m}\n"));
                }
            }
            crate::world::step::Step::Send {
                bytes,
                busy,
                within,
            } => {
                s.push_str(&format!("send: {}\n", bytes.escaped()));
                if let Some(b) = busy {
                    s.push_str(&format!("busy: {}\n", b.escaped()));
                }
                if let Some(w) = within {
                    s.push_str(&format!(
                        "  answer complete within {}..={} ms (took {} ms)\n",
                        w.min_ms, w.max_ms, r.ms
                    ));
                }
                s.push_str(&format!(
                    "  expected: {}\n  actual:   {}\n",
                    r.expected.escaped(),
                    r.actual.escaped()
                ));
                if let Some(m) = &r.mismatch {
                    s.push_str(&format!("  MISMATCH: {m}\n"));
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_and_ansi_never_reach_the_xml() {
        let s = xml_text("a\r\n\u{0}\u{1b}[31mred</x>&\"");
        assert_eq!(s, "a\\r\n\\x00\\e[31mred&lt;/x&gt;&amp;&quot;");
        assert!(!s.chars().any(|c| (c as u32) < 0x20 && c != '\n'));
    }
}
