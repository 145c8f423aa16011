//! Running a case: from the known state, every step against the device and the mock peer,
//! each answer and each recorded request compared with the oracle.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bytes::Bytes;
use crate::device::Device;
use crate::mock::scenario::Scenario;
use crate::mock::{MockPeer, Recorded};
use crate::oracle::compare::{self, Mismatch};
use crate::oracle::{ExpectedRequest, Model, Server, TlsFront};
use crate::profile::Profile;
use crate::step::Step;

/// Everything a case runs against.
pub struct Env {
    /// The device session.
    pub device: Device,
    /// The mock peer.
    pub mock: MockPeer,
    /// What the spec leaves to the device.
    pub profile: Profile,
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "why", rename_all = "snake_case")]
pub enum Verdict {
    /// Every answer and request as the oracle predicted.
    Pass,
    /// An answer or request differed.
    Fail(String),
    /// The check could not run here (no TLS certificates for this device, …).
    Skipped(String),
    /// The device did not finish an answer within the case timeout.
    Hung(String),
}

impl Verdict {
    /// Short name.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail(_) => "fail",
            Verdict::Skipped(_) => "skipped",
            Verdict::Hung(_) => "hung",
        }
    }
}

/// One step as run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step.
    pub step: Step,
    /// The oracle's output.
    #[serde(default)]
    pub expected: Bytes,
    /// What the device wrote.
    #[serde(default)]
    pub actual: Bytes,
    /// Requests the peer had to see.
    #[serde(default)]
    pub expected_requests: Vec<ExpectedRequest>,
    /// Requests it saw, as `METHOD target` lines with headers.
    #[serde(default)]
    pub seen_requests: Vec<String>,
    /// What did not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<String>,
    /// Diff detail: normalized expected and actual, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<(String, String, usize)>,
    /// The clause whose alternative reading the device's answer followed, if not the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// A replayable record of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// What the case is (check name or `fuzz`).
    pub case: String,
    /// Clauses it checks.
    pub clauses: Vec<String>,
    /// Spec name, version and hash it was judged against.
    pub spec: String,
    /// Fuzzing seed, if fuzzed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Base URLs of the mock endpoints when it ran (rewritten on replay).
    pub mock_urls: BTreeMap<String, String>,
    /// The steps.
    pub steps: Vec<Step>,
    /// Expected and actual bytes per step.
    #[serde(default)]
    pub records: Vec<StepRecord>,
    /// How it ended.
    pub verdict: Verdict,
    /// Why the transcript exists (fixtures say where their example comes from).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// How the device was brought back after this case, step by step (`Device::recover`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery: Vec<String>,
}

/// Spec identity for reports.
pub fn spec_id() -> String {
    use crate::syntax::host;
    format!(
        "{} {} (hash {:016x})",
        host::SPEC_NAME,
        host::SPEC_VERSION,
        host::SPEC_HASH
    )
}

fn describe(r: &Recorded) -> String {
    let mut s = format!(
        "{:?} {} {}",
        r.server,
        r.method,
        crate::bytes::escape(&r.target)
    );
    for (k, v) in &r.headers {
        s.push_str(&format!(
            " | {}: {}",
            crate::bytes::escape(k),
            crate::bytes::escape(v)
        ));
    }
    if !r.body.is_empty() {
        s.push_str(&format!(" | body {}", crate::bytes::escape(&r.body)));
    }
    s
}

fn describe_expected(r: &ExpectedRequest) -> String {
    let mut s = format!("{:?} {} {}", r.server, r.method, r.target.escaped());
    for (k, v) in &r.headers {
        s.push_str(&format!(" | {}: {}", k.escaped(), v.escaped()));
    }
    if !r.body.0.is_empty() {
        s.push_str(&format!(" | body {}", r.body.escaped()));
    }
    s
}

/// A transcript as one canonical JSON line, for comparing runs: mock addresses replaced by
/// endpoint names (ports differ per run), actual output with body pieces merged (piece sizes
/// follow timing, not the seed), HTTP dates replaced by `{date}` (the wall clock).
pub fn canonical_line(t: &Transcript, urls: &BTreeMap<String, String>) -> String {
    let records: Vec<serde_json::Value> = t
        .records
        .iter()
        .map(|r| {
            serde_json::json!({
                "step": r.step,
                "expected": crate::bytes::escape(&compare::merge_pieces(&r.expected.0)),
                "actual": crate::bytes::escape(&compare::merge_pieces(&r.actual.0)),
                "requests": r.seen_requests,
                "mismatch": r.mismatch,
            })
        })
        .collect();
    let mut line = serde_json::json!({
        "verdict": t.verdict,
        "records": records,
    })
    .to_string();
    for (name, url) in urls {
        let authority = url.split("://").nth(1).unwrap_or(url);
        line = line.replace(authority, &format!("{{{name}}}"));
    }
    // wiremock stamps responses with the wall clock (a HEAD answer prints it).
    static DATE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let date = DATE.get_or_init(|| {
        regex::Regex::new(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")
            .expect("a valid pattern")
    });
    date.replace_all(&line, "{date}").into_owned()
}

/// Names of the mock endpoints for transcripts.
pub fn mock_urls(mock: &MockPeer) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut all = vec![
        ("wiremock".to_string(), Server::Wiremock),
        ("raw".into(), Server::Raw),
    ];
    for f in mock.fronts() {
        all.push((format!("tls-{f:?}").to_lowercase(), Server::Tls(f)));
    }
    for (name, s) in all {
        if let Some(u) = mock.url(s) {
            m.insert(name, u);
        }
    }
    m
}

/// Runs `steps` from the known state and judges every answer.
pub fn run(env: &mut Env, case: &str, clauses: &[&str], steps: &[Step]) -> Transcript {
    let mut t = Transcript {
        case: case.into(),
        clauses: clauses.iter().map(|s| s.to_string()).collect(),
        spec: spec_id(),
        seed: None,
        mock_urls: mock_urls(&env.mock),
        steps: steps.to_vec(),
        records: Vec::new(),
        verdict: Verdict::Pass,
        note: String::new(),
        recovery: Vec::new(),
    };
    if let Err(e) = env.device.known_state() {
        match env.device.recover() {
            Ok(log) if env.device.known_state().is_ok() => t.recovery = log,
            Ok(log) => {
                t.verdict = Verdict::Hung(format!(
                    "could not reach the known state: {e}; recovery: {}",
                    log.join(" → ")
                ));
                return t;
            }
            Err(r) => {
                t.verdict = Verdict::Hung(format!(
                    "could not reach the known state: {e}; recovery: {r}"
                ));
                return t;
            }
        }
    }
    env.mock.set(&Scenario::default());
    let _ = env.mock.take_requests();
    let mut model = Model::new(env.profile);
    model.syslog = true;
    let mut first: Option<String> = None;
    for step in steps {
        let (bytes, busy) = match step {
            Step::Mock { scenario } => {
                env.mock.set(scenario);
                t.records.push(StepRecord {
                    step: step.clone(),
                    expected: Bytes::default(),
                    actual: Bytes::default(),
                    expected_requests: Vec::new(),
                    seen_requests: Vec::new(),
                    mismatch: None,
                    diff: None,
                    reading: None,
                });
                continue;
            }
            Step::Send { bytes, busy } => (bytes, busy),
        };
        let world = env.mock.world();
        let x = model.step(&bytes.0, busy.as_ref().map(|b| &b.0[..]), &world);
        let reading = env
            .device
            .exchange(&bytes.0, busy.as_ref().map(|b| &b.0[..]), &x);
        let seen = env.mock.take_requests();
        let mut rec = StepRecord {
            step: step.clone(),
            expected: Bytes(x.output.clone()),
            actual: Bytes(reading.bytes.clone()),
            expected_requests: x.requests.clone(),
            seen_requests: seen.iter().map(describe).collect(),
            mismatch: None,
            diff: None,
            reading: None,
        };
        if reading.hung {
            let why = format!(
                "no complete answer to `{}` within {:?}; got `{}`",
                bytes.escaped(),
                env.device.timeout,
                crate::bytes::escape(&reading.bytes)
            );
            rec.mismatch = Some(why.clone());
            t.records.push(rec);
            t.verdict = Verdict::Hung(why);
            t.recovery = recovery_log(env.device.recover());
            return t;
        }
        // Another reading the spec allows (a clause's `alternatives`) that the device took:
        // judge the step by it, and go on from the state it leaves.
        let mut x = x;
        if compare::check(&x, &reading.bytes).is_err()
            && let Some(r) = x.alternatives.iter().find(|r| {
                compare::check(&r.expect, &reading.bytes).is_ok()
                    && requests_match(&seen, &r.expect).is_empty()
            })
        {
            let r = r.clone();
            rec.reading = Some(r.clause.to_string());
            rec.expected = Bytes(r.expect.output.clone());
            rec.expected_requests = r.expect.requests.clone();
            model = *r.model;
            x = r.expect;
        }
        if let Err(Mismatch {
            what,
            expected,
            actual,
            at,
        }) = compare::check(&x, &reading.bytes)
        {
            rec.mismatch = Some(format!("answer to `{}`: {what}", bytes.escaped()));
            rec.diff = Some((expected, actual, at));
        } else if x.loose.is_none() {
            let why = requests_match(&seen, &x);
            if !why.is_empty() {
                rec.mismatch = Some(format!(
                    "requests after `{}`: {}; expected [{}], the peer saw [{}]",
                    bytes.escaped(),
                    why.join("; "),
                    x.requests
                        .iter()
                        .map(describe_expected)
                        .collect::<Vec<_>>()
                        .join("; "),
                    rec.seen_requests.join("; ")
                ));
            }
        }
        let failed = rec.mismatch.clone();
        t.records.push(rec);
        if let Some(f) = failed {
            // The device and the model disagree from here on: later steps would only repeat
            // the failure (or wait for answers that cannot come).
            first = Some(f);
            break;
        }
    }
    // Nothing may follow the last answer.
    let trailer = env
        .device
        .drain(Duration::from_millis(3), Duration::from_millis(50));
    if !trailer.is_empty() && first.is_none() {
        first = Some(format!(
            "unexpected output after the last answer: `{}`",
            crate::bytes::escape(&trailer)
        ));
    }
    let mut data_phase_settled = false;
    if let Some(f) = first {
        t.verdict = Verdict::Fail(f);
        // Whatever the device still prints belongs to this case, not the next.
        env.device
            .drain(Duration::from_millis(300), Duration::from_secs(3));
        // A device that prompted where the oracle expected something else (or prompted
        // differently) is waiting for data: give it what the command promised.
        if let Some(rec) = t
            .records
            .iter()
            .rev()
            .find(|r| matches!(r.step, Step::Send { .. }))
            && prompted(&rec.actual.0)
            && let Step::Send { bytes, .. } = &rec.step
        {
            let (settled, log) = settle_data_phase(&mut env.device, &bytes.0);
            data_phase_settled = settled;
            t.recovery = log;
        }
    }
    if model.in_data_phase() && !data_phase_settled {
        // A case that leaves the device in a data phase would poison the next one.
        t.recovery = recovery_log(env.device.recover());
    }
    t
}

/// The steps a recovery took, or where it failed.
fn recovery_log(r: Result<Vec<String>, String>) -> Vec<String> {
    match r {
        Ok(log) => log,
        Err(e) => vec![format!("failed: {e}")],
    }
}

/// How the recorded requests differ from the expected ones, judged with HTTP semantics
/// (`Recorded::differences`); empty when they match.
fn requests_match(seen: &[Recorded], x: &crate::oracle::Expect) -> Vec<String> {
    if seen.len() != x.requests.len() {
        return vec![format!("{} requests, not {}", seen.len(), x.requests.len())];
    }
    seen.iter()
        .zip(&x.requests)
        .flat_map(|(s, e)| s.differences(e))
        .collect()
}

/// Whether output ends in a data prompt of any spelling (`>` as its last byte).
fn prompted(output: &[u8]) -> bool {
    output.last() == Some(&b'>')
}

/// Most data bytes the harness sends to end a data phase it did not expect; longer promises
/// (a device that prompts for 2^31 − 1 bytes) are ended by recovery instead.
const CHEAP_DATA: usize = 64 * 1024;

/// Ends the data phase `line` opened on the device by sending the bytes it promised, when
/// that is cheap; otherwise recovers (AT+RST, then a reset or a reopened link). Returns
/// whether the device left the data phase by either means, and the recovery steps.
fn settle_data_phase(device: &mut Device, line: &[u8]) -> (bool, Vec<String>) {
    use crate::syntax::device::{Command, parse};
    let text = line.strip_suffix(b"\r\n").unwrap_or(line);
    let mut scratch = vec![0u8; text.len()];
    let promised = match parse(text, &mut scratch) {
        Ok(Command::HttpCPost(c)) => Some(i64::from(c.length)),
        Ok(Command::HttpCPut(c)) => Some(i64::from(c.length)),
        Ok(Command::HttpUrlCfgSet(c)) => Some(i64::from(c.url_length)),
        Ok(Command::HttpCHeadSet(c)) => Some(i64::from(c.req_header_len)),
        _ => None,
    };
    match promised {
        Some(n) if n > 0 && n as usize <= CHEAP_DATA => {
            // Header-safe filler (no NUL, CR or LF); a header store wants a colon.
            let mut data = vec![b'x'; n as usize];
            if let Some(c) = data.get_mut(1) {
                *c = b':';
            }
            if device.send(&data).is_err() {
                let r = device.recover();
                return (r.is_ok(), recovery_log(r));
            }
            device.drain(Duration::from_millis(300), Duration::from_secs(10));
            (true, vec![format!("sent the {n} promised data bytes")])
        }
        _ => {
            let r = device.recover();
            (r.is_ok(), recovery_log(r))
        }
    }
}

/// Which TLS fronts run (for checks that need one).
pub fn has_front(env: &Env, f: TlsFront) -> bool {
    env.mock.fronts().contains(&f)
}
