//! A self-contained HTML certification report: inline CSS, inline SVG charts and one small
//! inline script (the filter), no external assets. What failed comes first, then the charts,
//! then the tables; every internal link has its target.

mod charts;
mod diff;

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

/// An `id` for a check or clause: `check-NAME`, `clause-ID`, with any character an `id` or a
/// `#fragment` would need escaping for made `_` (names come from untrusted merged reports).
fn anchor(kind: &str, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{kind}-{safe}")
}

/// A link to a UART log from the HTML file at `page` (its folder), relative so that the
/// report folder can be moved or served as a whole; plain text when the way there is not a
/// plain relative path (a merged shard's report is untrusted: no scheme may get in).
fn log_link(path: &str, page: Option<&std::path::Path>) -> String {
    let Some(page_dir) = page
        .and_then(|p| std::path::absolute(p).ok())
        .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
    else {
        return file_link(path);
    };
    let Ok(log) = std::path::absolute(path) else {
        return file_link(path);
    };
    let (a, b): (Vec<_>, Vec<_>) = (page_dir.components().collect(), log.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    for c in &b[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    let href = parts.join("/");
    let plain = !href.is_empty()
        && parts.iter().all(|p| {
            p == ".."
                || (!p.starts_with('.')
                    && !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')))
        });
    if plain {
        let name = parts.last().cloned().unwrap_or_default();
        let href = if href.starts_with("..") {
            href
        } else {
            format!("./{href}")
        };
        format!("<a href=\"{}\">{}</a>", esc(&href), esc(&name))
    } else {
        format!("<code>{}</code>", esc(path))
    }
}

const STYLE: &str = "*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:min(72em,100%);padding:0 1em;color:#222;overflow-wrap:anywhere}\
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{border-bottom:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
code{overflow-wrap:anywhere}.pass{color:#176c2f}.fail,.hung{color:#b00020;font-weight:600}.skipped,.unchecked{color:#777}\
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-all;max-width:100%}\
mark{background:#ffd54f;outline:1px solid #b00020}.cut{color:#888;font-style:italic}\
.banner{padding:.8em 1em;border-radius:6px;font-size:1.2em}.ok{background:#e3f4e8}.bad{background:#fde7ea}.incomplete{background:#fff3d6}\
.unproved,.waived{color:#8a5a00}.chart{max-width:48em;display:block}.legend span{margin-right:1em}\
nav.filter button{margin-right:.4em}nav.filter button[aria-pressed=true]{font-weight:700}\
details>summary{cursor:pointer;font-weight:600;padding:.2em 0}\
body[data-filter=failing] .v-pass,body[data-filter=failing] .v-skipped,body[data-filter=failing] .v-unchecked,body[data-filter=failing] .v-unproved,body[data-filter=failing] .v-not-applicable,body[data-filter=failing] .v-waived{display:none}\
body[data-filter=incomplete] .v-pass,body[data-filter=incomplete] .v-fail,body[data-filter=incomplete] .v-hung,body[data-filter=incomplete] .v-not-applicable{display:none}";

/// The filter (all / failing / incomplete): inline, hidden until the script shows it, so a
/// page without scripts is simply the whole page.
const FILTER: &str = "<nav class=\"filter\" id=\"filter\" hidden>Show: <button type=\"button\" data-f=\"all\" aria-pressed=\"true\">all</button><button type=\"button\" data-f=\"failing\" aria-pressed=\"false\">failing</button><button type=\"button\" data-f=\"incomplete\" aria-pressed=\"false\">incomplete</button></nav>\
<script>(function(){var n=document.getElementById('filter');n.hidden=false;n.addEventListener('click',function(e){var f=e.target.getAttribute('data-f');if(!f)return;document.body.setAttribute('data-filter',f);n.querySelectorAll('button').forEach(function(b){b.setAttribute('aria-pressed',String(b===e.target))});if(f!=='all'){document.querySelectorAll('details.group').forEach(function(d){d.open=true})}})})();</script>";

/// `v-pass`, `v-not-applicable`: a row's class for the filter.
fn row_class(verdict: &str) -> String {
    format!("v-{}", verdict.replace(' ', "-"))
}

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

/// Renders the report (see [`render_at`]) with UART logs linked by file name.
pub fn render(r: &Report) -> String {
    render_at(r, None)
}

/// Renders the report written to `page`: the verdict, then what failed or is incomplete with
/// the clauses' statements, then the charts, the profiles' verdicts, the run's facts and
/// devices (UART logs linked relative to `page`), every clause by group and every check.
pub fn render_at(r: &Report, page: Option<&std::path::Path>) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str("<title>atspec certification report</title>");
    h.push_str(&format!(
        "<style>{STYLE}</style></head><body data-filter=\"all\">"
    ));
    h.push_str("<h1>atspec certification report</h1>");
    let cls = match r.verdict {
        super::Outcome::Conformant => "ok",
        super::Outcome::NotConformant => "bad",
        super::Outcome::Incomplete => "incomplete",
    };
    h.push_str(&format!(
        "<p class=\"banner {cls}\" id=\"verdict\">{}: {}</p>",
        esc(&r.verdict_line()),
        esc(&r.clause_counts())
    ));
    h.push_str(FILTER);
    not_passed(&mut h, r);
    fuzz_failure(&mut h, r);
    h.push_str(&evidence(r));
    h.push_str("<h2 id=\"charts\">Charts</h2><h3>Clauses per group</h3>");
    h.push_str(&charts::by_group(r));
    h.push_str("<h3>Failing checks per profile and group</h3>");
    h.push_str(&charts::profile_matrix(r));
    h.push_str("<h3>Time per check</h3>");
    h.push_str(&charts::timeline(r));
    verdicts(&mut h, r);
    facts(&mut h, r);
    devices(&mut h, r, page);
    clauses(&mut h, r);
    checks_table(&mut h, r);
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
fn devices(h: &mut String, r: &Report, page: Option<&std::path::Path>) {
    h.push_str("<h2 id=\"devices\">Devices</h2><table><tr><th>#</th><th>Device</th><th>Identity (AT+GMR)</th><th>Verdict</th><th>Checks</th><th>Failing</th><th>Fuzzed</th><th>UART log</th></tr>");
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
        let log = d
            .identity
            .uart_log
            .as_ref()
            .map_or(String::from("—"), |l| log_link(l, page));
        let failing: Vec<String> = d
            .failing_checks
            .iter()
            .map(|c| format!("<a href=\"#{}\">{}</a>", anchor("check", c), esc(c)))
            .collect();
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{log}</td></tr>",
            i + 1,
            esc(&d.identity.link),
            esc(&d.identity.version.join(" / ")),
            if d.clean { "pass" } else { "fail" },
            if d.clean { "nothing failed" } else { "failures" },
            d.checks,
            failing.join(", "),
            d.fuzz_cases
        ));
    }
    h.push_str("</table>");
}

/// Every clause, one collapsible table per group (open when something in it is not a
/// pass), with its verdict and the checks that prove and touch it.
fn clauses(h: &mut String, r: &Report) {
    h.push_str("<h2 id=\"clauses\">Clauses</h2>");
    let mut groups: Vec<(&str, Vec<&super::ClauseResult>)> = Vec::new();
    for c in &r.clauses {
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, v)) => v.push(c),
            None => groups.push((&c.group, vec![c])),
        }
    }
    let links = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("<a href=\"#{}\">{}</a>", anchor("check", n), esc(n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (g, cs) in groups {
        let passed = cs.iter().filter(|c| c.verdict == "pass").count();
        let open = if passed == cs.len() { "" } else { " open" };
        h.push_str(&format!(
            "<details class=\"group\" id=\"{}\"{open}><summary>{} — {passed} of {} pass</summary><table><tr><th style=\"width:22%\">Clause</th><th style=\"width:9%\">Verdict</th><th>Statement</th><th style=\"width:10%\">Source</th><th style=\"width:16%\">Proved by</th><th style=\"width:12%\">Touched by</th></tr>",
            anchor("group", g),
            esc(g),
            cs.len()
        ));
        for c in cs {
            let why = c
                .why
                .as_ref()
                .map_or(String::new(), |w| format!("<br><small>{}</small>", esc(w)));
            h.push_str(&format!(
                "<tr class=\"{}\" id=\"{}\"><td><code>{}</code></td><td class=\"{}\">{}{why}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                row_class(&c.verdict),
                anchor("clause", &c.id),
                esc(&c.id),
                esc(&c.verdict),
                esc(&c.verdict),
                esc(&c.statement),
                esc(&c.source),
                links(&c.checks),
                links(&c.touched_by)
            ));
        }
        h.push_str("</table></details>");
    }
}

/// Every check that ran, with its verdict and time: the target of every "proved by" link.
fn checks_table(h: &mut String, r: &Report) {
    h.push_str(&format!(
        "<h2 id=\"checks\">Checks</h2><details class=\"group\"><summary>{} checks</summary><table><tr><th>Check</th><th style=\"width:12%\">Verdict</th><th style=\"width:10%\">Time</th><th>Proves</th></tr>",
        r.checks.len()
    ));
    for c in &r.checks {
        let clauses: Vec<String> = c
            .clauses
            .iter()
            .map(|id| format!("<a href=\"#{}\">{}</a>", anchor("clause", id), esc(id)))
            .collect();
        let verdict = c.verdict.name();
        // A failing check's own entry is in "What failed"; here it links there.
        let name = if matches!(verdict, "fail" | "hung" | "skipped") {
            format!(
                "<a href=\"#{}\">{}</a>",
                anchor("failed", &c.name),
                esc(&c.name)
            )
        } else {
            esc(&c.name)
        };
        h.push_str(&format!(
            "<tr class=\"{}\" id=\"{}\"><td><code>{name}</code></td><td class=\"{}\">{}</td><td>{:.1} s</td><td>{}</td></tr>",
            row_class(verdict),
            anchor("check", &c.name),
            esc(verdict),
            esc(verdict),
            c.ms as f64 / 1000.0,
            clauses.join(", ")
        ));
    }
    h.push_str("</table></details>");
}

/// A transcript for the page: each step, expected and actual cut around the first
/// difference with that byte marked, and the mismatch.
fn transcript_html(t: &crate::runner::Transcript) -> String {
    use crate::world::step::Step;
    let mut h = String::from("<pre>");
    for rec in &t.records {
        match &rec.step {
            Step::Mock { scenario } => h.push_str(&format!(
                "mock: status {} body {} bytes {}\n",
                scenario.status,
                scenario.body.0.len(),
                esc(&format!("{:?}", scenario.framing))
            )),
            Step::Pause { ms } => h.push_str(&format!("pause: {ms} ms, silent\n")),
            Step::Send { bytes, busy, .. } => {
                h.push_str(&format!("send: {}\n", diff::plain(&bytes.escaped())));
                if let Some(b) = busy {
                    h.push_str(&format!("busy: {}\n", diff::plain(&b.escaped())));
                }
                // Where the shown texts first differ (the recorded offset counts raw bytes,
                // not the escapes shown).
                match rec
                    .diff
                    .as_ref()
                    .and_then(|(e, a, _)| Some((e, a, diff::first_difference(e, a)?)))
                {
                    Some((expected, actual, at)) => h.push_str(&format!(
                        "  expected: {}\n  actual:   {}\n",
                        diff::window(expected, at),
                        diff::window(actual, at)
                    )),
                    None => h.push_str(&format!(
                        "  expected: {}\n  actual:   {}\n",
                        diff::plain(&rec.expected.escaped()),
                        diff::plain(&rec.actual.escaped())
                    )),
                }
            }
        }
        if let Some(m) = &rec.mismatch {
            h.push_str(&format!("  <strong>MISMATCH</strong>: {}\n", esc(m)));
        }
    }
    h.push_str("</pre>");
    h
}

/// What failed, first: each check that did not pass with the statements of its clauses, its
/// transcript (diffs cut and marked) and the device's UART log while it ran.
fn not_passed(h: &mut String, r: &Report) {
    let failing: Vec<_> = r
        .checks
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::NotApplicable(_)))
        .collect();
    if failing.is_empty() {
        return;
    }
    h.push_str("<h2 id=\"failed\">What failed or did not run</h2>");
    for c in failing {
        let why = match &c.verdict {
            Verdict::Fail(w)
            | Verdict::Hung(w)
            | Verdict::Skipped(w)
            | Verdict::NotApplicable(w) => w.clone(),
            Verdict::Pass => String::new(),
        };
        let verdict = c.verdict.name();
        h.push_str(&format!(
            "<section class=\"{}\" id=\"{}\"><h3>{} <span class=\"{}\">{}</span></h3><p>{}</p>",
            row_class(verdict),
            anchor("failed", &c.name),
            esc(&c.name),
            esc(verdict),
            esc(verdict),
            esc(&why)
        ));
        let ids: Vec<&String> = c.clauses.iter().chain(&c.touched).collect();
        if !ids.is_empty() {
            h.push_str("<ul>");
            for id in ids {
                let statement = r
                    .clauses
                    .iter()
                    .find(|x| &x.id == id)
                    .map_or(String::new(), |x| esc(&x.statement));
                h.push_str(&format!(
                    "<li><a href=\"#{}\"><code>{}</code></a>: {statement}</li>",
                    anchor("clause", id),
                    esc(id)
                ));
            }
            h.push_str("</ul>");
        }
        if let Some(t) = &c.transcript {
            h.push_str(&transcript_html(t));
        }
        if let Some(log) = &c.uart_excerpt {
            h.push_str(&format!(
                "<details><summary>UART log while it ran</summary><pre>{}</pre></details>",
                esc(log)
            ));
        }
        h.push_str("</section>");
    }
}

/// The shrunk fuzzing failure and where it was saved.
fn fuzz_failure(h: &mut String, r: &Report) {
    if let Some(t) = &r.fuzz.failure {
        h.push_str(
            "<section class=\"v-fail\" id=\"fuzz-failure\"><h2>Fuzzing failure (shrunk)</h2>",
        );
        if let Some(p) = &r.fuzz.saved {
            h.push_str(&format!(
                "<p>Saved as <code>{}</code>; re-run with <code>atspec replay {}</code>.</p>",
                esc(p),
                esc(p)
            ));
        }
        h.push_str(&transcript_html(t));
        h.push_str("</section>");
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
