//! A self-contained HTML certification report (inline CSS, no scripts, no external assets).

use super::Report;
use crate::runner::Verdict;

/// Escapes text for HTML: markup characters, and control characters a device sent (ESC, NUL,
/// the rest of C0 and C1, bidirectional overrides) made visible as in the terminal.
fn esc(s: &str) -> String {
    crate::bytes::neutralize(s, false)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A link to a file beside the report, or plain text when `path` is not a plain file name
/// (a merged shard's report is untrusted: a `javascript:` or `https:` value must not become a
/// live link). The name is taken relative (`./NAME`), so no scheme can apply.
fn file_link(path: &str) -> String {
    let name = std::path::Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned());
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if plain {
        format!("<a href=\"./{}\">{}</a>", esc(&name), esc(&name))
    } else {
        format!("<code>{}</code>", esc(path))
    }
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}\
.pass{color:#176c2f}.fail,.hung{color:#b00020;font-weight:600}.skipped,.unchecked{color:#777}\
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}\
.banner{padding:.8em 1em;border-radius:6px;font-size:1.2em}.ok{background:#e3f4e8}.bad{background:#fde7ea}.incomplete{background:#fff3d6}\
.unproved,.waived{color:#8a5a00}";

/// The class, the waivers and, for an incomplete report, what is missing: right under the
/// banner, since it is what the certificate rests on.
fn evidence(r: &Report) -> String {
    let mut h = String::new();
    h.push_str(&format!(
        "<p>Conformance class: <strong>{}</strong></p>",
        esc(r.class.description())
    ));
    // Clause and why, for waived and unproved clauses alike.
    let table = |h: &mut String, head: &str, class: &str, rows: Vec<(&str, &str)>| {
        h.push_str(&format!("<table><tr><th>{head}</th><th>Why</th></tr>"));
        for (clause, why) in rows {
            h.push_str(&format!(
                "<tr><td class=\"{class}\"><code>{}</code></td><td>{}</td></tr>",
                esc(clause),
                esc(why)
            ));
        }
        h.push_str("</table>");
    };
    if !r.waivers.is_empty() {
        h.push_str("<h2>Waived clauses</h2>");
        let rows = r.waivers.iter().map(|w| (&w.clause[..], &w.reason[..]));
        table(&mut h, "Waived clause", "waived", rows.collect());
    }
    let traffic = r.traffic.lines();
    if !traffic.is_empty() {
        h.push_str("<h2>Other traffic at the mock peer</h2><pre>");
        for l in traffic {
            h.push_str(&esc(&l));
            h.push('\n');
        }
        h.push_str("</pre>");
    }
    if r.gaps.is_empty() && r.unproved.is_empty() {
        return h;
    }
    h.push_str("<h2>Why the evidence is incomplete</h2><ul>");
    for g in &r.gaps {
        h.push_str(&format!("<li>{}</li>", esc(g)));
    }
    h.push_str("</ul>");
    if !r.unproved.is_empty() {
        let rows = r.unproved.iter().map(|g| (&g.clause[..], &g.why[..]));
        table(&mut h, "Unproved clause", "unproved", rows.collect());
    }
    h
}

/// The page of a certification that could not start (a setup error): no verdict, the reason.
pub fn render_error(error: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>atspec certification report</title><style>{STYLE}</style></head><body><h1>atspec certification report</h1><p class=\"banner bad\">No verdict: the certification could not start.</p><pre>{}</pre></body></html>\n",
        esc(error)
    )
}

/// Renders the report: the banner and evidence, the profiles' verdicts, the run's facts,
/// the devices, every clause, the checks that did not pass and the fuzzing failure.
pub fn render(r: &Report) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<title>atspec certification report</title>");
    h.push_str(&format!("<style>{STYLE}</style></head><body>"));
    h.push_str("<h1>atspec certification report</h1>");
    let cls = match r.verdict {
        super::Outcome::Conformant => "ok",
        super::Outcome::NotConformant => "bad",
        super::Outcome::Incomplete => "incomplete",
    };
    h.push_str(&format!(
        "<p class=\"banner {cls}\">{}: {} pass, {} fail, {} hung, {} skipped, {} not applicable, {} unchecked of {} clauses</p>",
        esc(&r.verdict_line()),
        r.totals.pass,
        r.totals.fail,
        r.totals.hung,
        r.totals.skipped,
        r.totals.not_applicable,
        r.totals.unchecked,
        r.clauses.len()
    ));
    h.push_str(&evidence(r));
    verdicts(&mut h, r);
    facts(&mut h, r);
    devices(&mut h, r);
    clauses(&mut h, r);
    not_passed(&mut h, r);
    fuzz_failure(&mut h, r);
    h.push_str("</body></html>\n");
    h
}

/// Each profile's verdict, and how the deciding one was chosen.
fn verdicts(h: &mut String, r: &Report) {
    h.push_str("<h2>Verdicts</h2><table><tr><th>Profile</th><th>Verdict</th><th>Checks that differ</th><th>Not applicable</th></tr>");
    for v in &r.verdicts {
        h.push_str(&format!(
            "<tr><td><code>{}</code>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&v.profile),
            if v.decides { " (decides)" } else { "" },
            if v.conformant { "pass" } else { "fail" },
            esc(&v.sentence()),
            esc(&v.failing_checks.join(", ")),
            v.not_applicable
        ));
    }
    h.push_str(&format!(
        "</table><p>Profile: {}</p>",
        esc(&r.profile_choice)
    ));
}

/// Device, spec, tool, seed, fuzzing, time and image.
fn facts(h: &mut String, r: &Report) {
    h.push_str("<table>");
    for (k, v) in [
        ("Device", r.device.link.clone()),
        ("Identity (AT+GMR)", r.device.version.join(" / ")),
        ("Spec", r.spec.clone()),
        ("Tool", r.tool.clone()),
        ("Seed", r.seed.to_string()),
        (
            "Fuzzing",
            format!(
                "{} sequences asked, {} run, {} failing, {} steps ({} runs shrinking)",
                r.fuzz.cases, r.fuzz.sequences, r.fuzz.failing, r.fuzz.steps, r.fuzz.shrink_runs
            ),
        ),
        ("Wall time", format!("{:.1} s", r.wall_ms as f64 / 1000.0)),
        (
            "Firmware image",
            r.device
                .firmware
                .as_ref()
                .map_or_else(|| "—".to_string(), |f| f.summary()),
        ),
    ] {
        h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v)));
    }
    h.push_str("</table>");
}

/// One row per device, with its UART log.
fn devices(h: &mut String, r: &Report) {
    h.push_str("<h2>Devices</h2><table><tr><th>#</th><th>Device</th><th>Identity (AT+GMR)</th><th>Verdict</th><th>Checks</th><th>Failing</th><th>Fuzzed</th><th>UART log</th></tr>");
    let devices: Vec<super::DeviceResult> = if r.devices.is_empty() {
        vec![super::DeviceResult {
            identity: r.device.clone(),
            clean: r.verdict != super::Outcome::NotConformant,
            checks: r.checks.len(),
            failing_checks: Vec::new(),
            fuzz_cases: r.fuzz.cases,
            fuzz_failed: r.fuzz.failure.is_some(),
        }]
    } else {
        r.devices.clone()
    };
    for (i, d) in devices.iter().enumerate() {
        // The log sits next to the report: link it by file name.
        let log = d
            .identity
            .uart_log
            .as_ref()
            .map_or(String::from("—"), |l| file_link(l));
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{log}</td></tr>",
            i + 1,
            esc(&d.identity.link),
            esc(&d.identity.version.join(" / ")),
            if d.clean { "pass" } else { "fail" },
            if d.clean { "nothing failed" } else { "failures" },
            d.checks,
            esc(&d.failing_checks.join(", ")),
            d.fuzz_cases
        ));
    }
}

/// Every clause with its verdict and the checks that prove and touch it.
fn clauses(h: &mut String, r: &Report) {
    h.push_str("</table><h2>Clauses</h2><table><tr><th>Clause</th><th>Verdict</th><th>Statement</th><th>Source</th><th>Proved by</th><th>Touched by</th></tr>");
    for c in &r.clauses {
        h.push_str(&format!(
            "<tr><td><code>{}</code></td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.id),
            c.verdict,
            c.verdict,
            esc(&c.statement),
            esc(&c.source),
            // Each proving check links to its evidence (its transcript, when it did not pass).
            c.checks
                .iter()
                .map(|n| format!("<a href=\"#{}\">{}</a>", esc(n), esc(n)))
                .collect::<Vec<_>>()
                .join(", "),
            esc(&c.touched_by.join(", "))
        ));
    }
    h.push_str("</table>");
}

/// The checks that did not pass, each with its transcript.
fn not_passed(h: &mut String, r: &Report) {
    let failing: Vec<_> = r
        .checks
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::NotApplicable(_)))
        .collect();
    if !failing.is_empty() {
        h.push_str("<h2>Checks that did not pass</h2>");
        for c in failing {
            let why = match &c.verdict {
                Verdict::Fail(w)
                | Verdict::Hung(w)
                | Verdict::Skipped(w)
                | Verdict::NotApplicable(w) => w.clone(),
                Verdict::Pass => String::new(),
            };
            h.push_str(&format!(
                "<h3 id=\"{}\">{} <span class=\"{}\">{}</span></h3><p>{}</p>",
                esc(&c.name),
                esc(&c.name),
                c.verdict.name(),
                c.verdict.name(),
                esc(&why)
            ));
            if let Some(t) = &c.transcript {
                h.push_str(&format!(
                    "<pre>{}</pre>",
                    esc(&super::junit::transcript_text(t))
                ));
            }
        }
    }
}

/// The shrunk fuzzing failure and where it was saved.
fn fuzz_failure(h: &mut String, r: &Report) {
    if let Some(t) = &r.fuzz.failure {
        h.push_str("<h2>Fuzzing failure (shrunk)</h2>");
        if let Some(p) = &r.fuzz.saved {
            h.push_str(&format!(
                "<p>Saved as <code>{}</code>; re-run with <code>atspec replay {}</code>.</p>",
                esc(p),
                esc(p)
            ));
        }
        h.push_str(&format!(
            "<pre>{}</pre>",
            esc(&super::junit::transcript_text(t))
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_and_links_stay_inert() {
        assert_eq!(esc("<b>\u{1b}[2J\0'x'"), "&lt;b&gt;\\x1b[2J\\0&#39;x&#39;");
        assert_eq!(
            file_link("logs/r.device-1.uart.log"),
            "<a href=\"./r.device-1.uart.log\">r.device-1.uart.log</a>"
        );
        for hostile in [
            "javascript:alert(document.domain)",
            "https://evil.example/x",
            "a\"onmouseover=\"x",
            "..",
        ] {
            // Plain text, or at most a link to a file beside the report.
            let h = file_link(hostile);
            let inert = !h.contains("href") || (h.contains("href=\"./") && !h.contains(':'));
            assert!(inert, "{hostile}: {h}");
        }
    }
}
