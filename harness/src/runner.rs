//! Running a case: from the known state, every step against the device and the mock peer,
//! each answer and each recorded request compared with the oracle.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::bytes::Bytes;
use crate::device::Device;
use crate::mock::MockPeer;
use crate::oracle::compare::{self, Mismatch};
use crate::oracle::{Model, Server, SpecProfile};
use crate::profile::DeviceProfile;
use crate::world::HttpRequest;
use crate::world::scenario::Scenario;
use crate::world::step::{DATA_PHASE_MAX, Step};

// How long the runner drains after a case, each as quiet-then-longest (both widened by the
// link's measured latency, see `Device::window`); the exchange's own windows are in device.rs.
/// After the last answer: anything the device still prints is a trailer (fails the case).
const TRAILER_QUIET: Duration = Duration::from_millis(3);
const TRAILER_MAX: Duration = Duration::from_millis(50);
/// After a case stopped at a disagreement: what the device still prints belongs to it.
const AFTER_STOP_QUIET: Duration = Duration::from_millis(300);
const AFTER_STOP_MAX: Duration = Duration::from_secs(3);
/// After the promised bytes that end an unexpected data phase (its answer may be long).
const AFTER_DATA_QUIET: Duration = Duration::from_millis(300);
const AFTER_DATA_MAX: Duration = Duration::from_secs(10);
pub use crate::world::transcript::{Judged, StepRecord, Transcript, Verdict};

/// How much of a flood a transcript keeps (the step's verdict says how much came).
const FLOOD_KEPT: usize = 4096;
/// Everything a case runs against.
pub struct Env {
    /// The device session.
    pub device: Device,
    /// The mock peer.
    pub mock: MockPeer,
    /// What the spec leaves to the device.
    pub profile: DeviceProfile,
    /// The spec profiles every case is judged by.
    pub judges: Judges,
    /// Per judge, whether this device follows redirects (the contract allows either reading,
    /// `HTTP.REDIRECT.NOT_FOLLOWED`): the first redirect decides, and every later one of the
    /// run must agree. The step that decided is kept for the message.
    pub redirects: std::collections::BTreeMap<&'static str, (bool, String)>,
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

/// The spec profiles a run judges by: `primary` decides the verdict (and the exit status),
/// `second` is reported next to it (the contract beside an ESP-AT version, or the reverse).
#[derive(Debug, Clone, Copy)]
pub struct Judges {
    /// `--profile`.
    pub primary: &'static SpecProfile,
    /// The other verdict of the report.
    pub second: Option<&'static SpecProfile>,
}

impl Default for Judges {
    fn default() -> Self {
        Judges {
            primary: crate::oracle::contract(),
            second: None,
        }
    }
}

/// The first command of `steps` that `judge` lacks (its checks are not applicable under it).
/// A test-form probe (`AT+NAME=?`) does not count: it is how a version's claim to lack a
/// command is verified (answered as unknown), so it is judged under every profile.
pub fn lacked_command(judge: &SpecProfile, steps: &[Step]) -> Option<&'static str> {
    use crate::syntax::device::Name;
    steps.iter().find_map(|s| match s {
        Step::Send { bytes, busy, .. } => std::iter::once(&bytes.0)
            .chain(busy.as_ref().map(|b| &b.0))
            .flat_map(|b| b.split(|&c| c == b'\n'))
            .filter_map(|line| {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.ends_with(b"=?") {
                    return None;
                }
                let rest = line
                    .get(..2)?
                    .eq_ignore_ascii_case(b"AT")
                    .then(|| &line[2..])?;
                let end = rest
                    .iter()
                    .position(|&b| b == b'=' || b == b'?')
                    .unwrap_or(rest.len());
                Name::lookup(&rest[..end])
            })
            .find(|n| !judge.has(*n))
            .map(|n| n.as_str()),
        Step::Mock { .. } | Step::Pause { .. } => None,
    })
}

/// The contract's profile id.
pub fn contract_id() -> &'static str {
    crate::oracle::contract().id
}

/// How a profile's verdict is named in reports: `the contract`, `ESP-AT 3.1`.
pub fn judge_name(j: &SpecProfile) -> String {
    match j.esp_at_version {
        Some((a, b)) => format!("ESP-AT {a}.{b}"),
        None if j.alternatives => format!("the {}", j.id),
        None => "ESP-AT (current)".to_string(),
    }
}

/// Why a profile disagrees with an answer, and the normalized diff (expected, actual, where).
type Disagreement = (String, Option<(String, String, usize)>);

/// One profile's judging of a case: its model, and its first disagreement.
struct Judging {
    judge: &'static SpecProfile,
    model: Model,
    failed: Option<String>,
}

impl Judging {
    /// Judges one answer: `Ok` (adopting the reading the device took) or the mismatch and
    /// its diff.
    fn judge(
        &mut self,
        x: &crate::oracle::Expect,
        actual: &[u8],
        seen: &[HttpRequest],
        bytes: &Bytes,
    ) -> Result<Option<crate::oracle::Reading>, Disagreement> {
        let mut x = x.clone();
        let mut taken = None;
        // Another reading the spec allows (a clause's `alternatives`) that the device took:
        // judge the step by it, and go on from the state it leaves.
        if compare::check(&x, actual).is_err()
            && let Some(r) = x.alternatives.iter().find(|r| {
                compare::check(&r.expect, actual).is_ok()
                    && requests_match(seen, &r.expect).is_empty()
            })
        {
            let r = r.clone();
            self.model = (*r.model).clone();
            x = r.expect.clone();
            taken = Some(r);
        }
        if let Err(Mismatch {
            what,
            expected,
            actual,
            at,
        }) = compare::check(&x, actual)
        {
            return Err((
                format!("answer to `{}`: {what}", bytes.escaped()),
                Some((expected, actual, at)),
            ));
        }
        if x.loose.is_none() {
            let why = requests_match(seen, &x);
            if !why.is_empty() {
                return Err((
                    format!(
                        "requests after `{}`: {}; expected [{}], the peer saw [{}]",
                        bytes.escaped(),
                        why.join("; "),
                        x.requests
                            .iter()
                            .map(HttpRequest::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                        seen.iter()
                            .map(HttpRequest::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    None,
                ));
            }
        }
        Ok(taken)
    }
}

/// Runs `steps` from the known state and judges every answer by the run's profiles.
pub fn run(env: &mut Env, case: &str, clauses: &[&str], steps: &[Step]) -> Transcript {
    let judges = env.judges;
    run_judged(env, judges, case, clauses, steps)
}

/// Runs `steps` from the known state and judges every answer by `judges`' profiles at once:
/// each has its own model, which follows the reading the device took, and its own first
/// disagreement. The case goes on while one of them still agrees.
pub fn run_judged(
    env: &mut Env,
    judges: Judges,
    case: &str,
    clauses: &[&str],
    steps: &[Step],
) -> Transcript {
    let mut t = Transcript {
        case: case.into(),
        clauses: clauses.iter().map(|s| s.to_string()).collect(),
        spec: spec_id(),
        seed: None,
        mock_urls: mock_urls(&env.mock),
        path_prefix: env.mock.prefix(),
        steps: steps.to_vec(),
        records: Vec::new(),
        verdict: Verdict::Pass,
        note: String::new(),
        recovery: Vec::new(),
        profile: judges.primary.id.to_string(),
        second: None,
    };
    let not_applicable = |j: &SpecProfile| {
        lacked_command(j, steps).map(|c| format!("not applicable: {} has no {c}", judge_name(j)))
    };
    let primary_na = not_applicable(judges.primary);
    let second_na = judges.second.map(|j| (j, not_applicable(j)));
    let mut judgings: Vec<Judging> = Vec::new();
    if primary_na.is_none() {
        judgings.push(Judging {
            judge: judges.primary,
            model: Model::judged(env.profile, judges.primary),
            failed: None,
        });
    }
    if let Some((j, None)) = second_na {
        judgings.push(Judging {
            judge: j,
            model: Model::judged(env.profile, j),
            failed: None,
        });
    }
    let finish = |t: &mut Transcript, judgings: &[Judging]| {
        let verdict_of = |j: &SpecProfile, na: &Option<String>| -> Verdict {
            if let Some(why) = na {
                return Verdict::NotApplicable(why.clone());
            }
            match judgings.iter().find(|g| std::ptr::eq(g.judge, j)) {
                Some(Judging {
                    failed: Some(f), ..
                }) => Verdict::Fail(f.clone()),
                _ => Verdict::Pass,
            }
        };
        if !matches!(t.verdict, Verdict::Hung(_)) {
            t.verdict = verdict_of(judges.primary, &primary_na);
        }
        if let Some((j, na)) = &second_na {
            let v = match &t.verdict {
                Verdict::Hung(why) if na.is_none() => Verdict::Hung(why.clone()),
                _ => verdict_of(j, na),
            };
            t.second = Some(Judged {
                profile: j.id.to_string(),
                verdict: v,
            });
        }
    };
    if judgings.is_empty() {
        finish(&mut t, &judgings);
        return t;
    }
    if let Some(why) = env.device.lost() {
        t.verdict = Verdict::Hung(why.to_string());
        finish(&mut t, &judgings);
        return t;
    }
    if let Err(e) = env.device.known_state() {
        match env.device.recover() {
            Ok(log) if env.device.known_state().is_ok() => t.recovery = log,
            Ok(log) => {
                t.verdict = Verdict::Hung(format!(
                    "could not reach the known state: {e}; recovery: {}",
                    log.join(" → ")
                ));
                finish(&mut t, &judgings);
                return t;
            }
            Err(r) => {
                t.verdict = Verdict::Hung(format!(
                    "could not reach the known state: {e}; recovery: {r}"
                ));
                finish(&mut t, &judgings);
                return t;
            }
        }
    }
    if env.device.take_restarted() {
        // Nothing of the harness's restarted it: the device rebooted on its own since the
        // last case ended. That is this case's failure (its known state was not kept).
        for g in &mut judgings {
            g.failed = Some(
                "the device restarted between cases: it printed `ready` unprompted before this case's first step"
                    .into(),
            );
        }
        finish(&mut t, &judgings);
        return t;
    }
    env.mock.set(&Scenario::default());
    let _ = env.mock.take_requests();
    let _ = env.mock.take_faults();
    for g in &mut judgings {
        g.model.syslog = true;
    }
    // Whether the case stopped at a disagreement (rather than running to its end).
    let mut stopped = false;
    for step in steps {
        let (bytes, busy, within) = match step {
            Step::Mock { scenario } => {
                env.mock.set(scenario);
                t.records.push(StepRecord::of(step, Vec::new(), 0));
                continue;
            }
            Step::Pause { ms } => {
                // The device must stay silent: a data phase has no timeout, a command nothing
                // more to say.
                // A transcript's pause is data from a file: it is bounded by --timeout.
                let quiet = Duration::from_millis(*ms).min(env.device.timeout);
                let heard = env.device.drain(quiet, quiet);
                let mismatch = (!heard.is_empty()).then(|| {
                    format!(
                        "output during a {ms} ms pause: `{}`",
                        crate::bytes::escape(&heard)
                    )
                });
                if let Some(m) = &mismatch {
                    for g in judgings.iter_mut().filter(|g| g.failed.is_none()) {
                        g.failed = Some(m.clone());
                    }
                }
                t.records.push(StepRecord {
                    mismatch,
                    ..StepRecord::of(step, heard, *ms)
                });
                if judgings.iter().all(|g| g.failed.is_some()) {
                    stopped = true;
                    break;
                }
                continue;
            }
            Step::Send {
                bytes,
                busy,
                within,
            } => (bytes, busy, within),
        };
        let world = env.mock.world();
        let busy_bytes = busy.as_ref().map(|b| &b.0[..]);
        // Every profile still agreeing predicts; the first leads the exchange, the others'
        // answers are more endings the exchange waits for.
        let live: Vec<usize> = (0..judgings.len())
            .filter(|&i| judgings[i].failed.is_none())
            .collect();
        let xs: Vec<crate::oracle::Expect> = live
            .iter()
            .map(|&i| judgings[i].model.step(&bytes.0, busy_bytes, &world))
            .collect();
        // The answer is complete when the leading expectation is; it has diverged once it
        // can become none of the expectations, nor any reading they allow.
        let diverged = |got: &[u8]| {
            xs.iter().all(|e| {
                compare::diverged(e, got)
                    && e.alternatives
                        .iter()
                        .all(|a| compare::diverged(&a.expect, got))
            })
        };
        let mock = &env.mock;
        let requested = || mock.has_new_requests();
        let until = crate::device::Until {
            finals: crate::device::terminals(&xs[0].output, xs[0].prompt),
            len: xs[0].output.len(),
            prompt: xs[0].prompt,
            diverged: &diverged,
            requested: (busy_bytes.is_some() && !xs[0].requests.is_empty())
                .then_some(&requested as &dyn Fn() -> bool),
        };
        let reading = env.device.exchange(&bytes.0, busy_bytes, &until);
        let seen = env.mock.take_requests();
        // HTTP.REQUEST.LINE: how the requests were framed, which no recorded request shows.
        let malformed = env.mock.take_faults();
        let mut rec = StepRecord {
            expected: Bytes(xs[0].output.clone()),
            expected_requests: xs[0].requests.clone(),
            seen_requests: seen.iter().map(HttpRequest::to_string).collect(),
            loose: matches!(xs[0].loose, Some(crate::oracle::Loose::AnyFinal)),
            ..StepRecord::of(step, reading.bytes.clone(), reading.took.as_millis() as u64)
        };
        if let Some(total) = reading.flooded {
            // A flood is the device's failure, judged at once; recovery brings it back.
            let why = format!(
                "device flooded {total} bytes answering `{}` (more than the step's budget of {} bytes; the transcript keeps the first {FLOOD_KEPT}, truncated); the first bytes: `{}`",
                bytes.escaped(),
                crate::device::step_budget(xs[0].output.len()),
                crate::bytes::escape(&reading.bytes[..reading.bytes.len().min(256)])
            );
            rec.actual = Bytes(reading.bytes[..reading.bytes.len().min(FLOOD_KEPT)].to_vec());
            rec.mismatch = Some(why.clone());
            t.records.push(rec);
            for g in judgings.iter_mut().filter(|g| g.failed.is_none()) {
                g.failed = Some(why.clone());
            }
            t.recovery = recovery_log(env.device.recover());
            finish(&mut t, &judgings);
            return t;
        }
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
            finish(&mut t, &judgings);
            return t;
        }
        // A timing clause: the answer's completion must fall in its window.
        let late = within
            .filter(|w| !(w.min_ms..=w.max_ms).contains(&rec.ms))
            .map(|w| {
                format!(
                    "answer to `{}` complete after {} ms; the spec wants {}..={} ms",
                    bytes.escaped(),
                    rec.ms,
                    w.min_ms,
                    w.max_ms
                )
            });
        for (k, &i) in live.iter().enumerate() {
            let g = &mut judgings[i];
            let verdict = g.judge(&xs[k], &reading.bytes, &seen, bytes);
            // A window times a transaction: a profile that expects the line refused before
            // any request (a version without the parameter) does not hold it to the window.
            let verdict = match (verdict, &late) {
                (Ok(_), Some(why)) if !xs[k].requests.is_empty() => Err((why.clone(), None)),
                (v, _) => v,
            };
            let verdict = match verdict {
                Ok(_) if !malformed.is_empty() => Err((
                    format!(
                        "the request answering `{}` is malformed: {}",
                        bytes.escaped(),
                        malformed.join("; ")
                    ),
                    None,
                )),
                v => v,
            };
            let verdict = match verdict {
                Ok(taken) => match redirect_choice(&xs[k], taken.as_ref()) {
                    None => Ok(taken),
                    Some(followed) => {
                        let here = format!("`{}` ({})", bytes.escaped(), t.case);
                        let (first, at) = env
                            .redirects
                            .entry(g.judge.id)
                            .or_insert((followed, here.clone()));
                        if *first == followed {
                            Ok(taken)
                        } else {
                            let did = |f: bool| if f { "followed" } else { "did not follow" };
                            Err((
                                format!(
                                    "redirects read two ways: the device {} the redirect answering {at}, but {} the one answering {here}; a device follows all of them or none",
                                    did(*first),
                                    did(followed)
                                ),
                                None,
                            ))
                        }
                    }
                },
                v => v,
            };
            match verdict {
                Ok(taken) => {
                    if k == 0
                        && let Some(r) = taken
                    {
                        rec.reading = Some(r.clause.to_string());
                        rec.expected = Bytes(r.expect.output.clone());
                        rec.expected_requests = r.expect.requests.clone();
                    }
                }
                Err((why, diff)) => {
                    let why = restarted_during(bytes, &xs[k].output, &reading.bytes, why);
                    if k == 0 {
                        rec.mismatch = Some(why.clone());
                        rec.diff = diff;
                    }
                    g.failed = Some(if std::ptr::eq(g.judge, judges.primary) {
                        why
                    } else {
                        format!("differs from {}: {why}", judge_name(g.judge))
                    });
                }
            }
        }
        t.records.push(rec);
        if judgings.iter().all(|g| g.failed.is_some()) {
            // The device and every model disagree from here on: later steps would only
            // repeat the failure (or wait for answers that cannot come).
            stopped = true;
            break;
        }
    }
    // Nothing may follow the last answer (the drain's window grows with the link's latency).
    let trailer = env.device.drain(TRAILER_QUIET, TRAILER_MAX);
    if !trailer.is_empty() {
        for g in judgings.iter_mut().filter(|g| g.failed.is_none()) {
            let restarted = if crate::device::has_line(&trailer, b"ready") {
                "the device restarted after the last answer (it printed `ready` unprompted); "
            } else {
                ""
            };
            g.failed = Some(format!(
                "{restarted}unexpected output after the last answer: `{}`",
                crate::bytes::escape(&trailer)
            ));
        }
    }
    let mut data_phase_settled = false;
    if stopped || !trailer.is_empty() {
        // Whatever the device still prints belongs to this case, not the next.
        env.device.drain(AFTER_STOP_QUIET, AFTER_STOP_MAX);
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
    // The model that followed the device furthest says where it was left.
    let left_in_data = judgings
        .iter()
        .find(|g| g.failed.is_none())
        .or(judgings.first())
        .is_some_and(|g| g.model.in_data_phase());
    if left_in_data && !data_phase_settled {
        // A case that leaves the device in a data phase would poison the next one.
        t.recovery = recovery_log(env.device.recover());
    }
    finish(&mut t, &judgings);
    t
}

/// Whether the device followed the redirect of a step whose answer has the following
/// reading (`RedirectFollowed`) beside the first one; `None` for other steps.
fn redirect_choice(
    x: &crate::oracle::Expect,
    taken: Option<&crate::oracle::Reading>,
) -> Option<bool> {
    use crate::syntax::host;
    let follows = host::CLAUSES
        .iter()
        .find(|c| {
            c.alternatives
                .contains(&host::Alternative::RedirectFollowed)
        })?
        .id;
    x.alternatives
        .iter()
        .any(|a| a.clause == follows)
        .then(|| taken.is_some_and(|r| r.clause == follows))
}

/// `why`, saying first that the device restarted during `sent` when its answer holds a
/// `ready` line that neither the expected answer nor a restart command explains.
fn restarted_during(sent: &Bytes, expected: &[u8], actual: &[u8], why: String) -> String {
    use crate::device::has_line;
    if has_line(actual, b"ready") && !has_line(expected, b"ready") && !has_line(&sent.0, b"AT+RST")
    {
        format!(
            "the device restarted during `{}` (it printed `ready` unprompted); {why}",
            sent.escaped()
        )
    } else {
        why
    }
}

/// The steps a recovery took, or where it failed.
fn recovery_log(r: Result<Vec<String>, String>) -> Vec<String> {
    match r {
        Ok(log) => log,
        Err(e) => vec![format!("failed: {e}")],
    }
}

/// How the recorded requests differ from the expected ones, judged with HTTP semantics
/// (`HttpRequest::differences`); empty when they match.
fn requests_match(seen: &[HttpRequest], x: &crate::oracle::Expect) -> Vec<String> {
    if seen.len() != x.requests.len() {
        return vec![format!("{} requests, not {}", seen.len(), x.requests.len())];
    }
    seen.iter()
        .zip(&x.requests)
        .flat_map(|(s, e)| s.differences(e))
        .collect()
}

/// Whether output ends in a data prompt of any spelling: `>` as its last byte but for
/// trailing spaces or tabs (a `> ` prompt is still a device waiting for data, and sending it
/// the promised bytes is quicker than a reset).
fn prompted(output: &[u8]) -> bool {
    let end = output
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    output[..end].last() == Some(&b'>')
}

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
        Some(n) if n > 0 && n as usize <= DATA_PHASE_MAX => {
            // Header-safe filler (no NUL, CR or LF); a header store wants a colon.
            let mut data = vec![b'x'; n as usize];
            if let Some(c) = data.get_mut(1) {
                *c = b':';
            }
            if device.send(&data).is_err() {
                let r = device.recover();
                return (r.is_ok(), recovery_log(r));
            }
            device.drain(AFTER_DATA_QUIET, AFTER_DATA_MAX);
            (true, vec![format!("sent the {n} promised data bytes")])
        }
        _ => {
            let r = device.recover();
            (r.is_ok(), recovery_log(r))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prompted;

    #[test]
    fn a_prompt_is_recognised_in_any_spelling_and_nothing_else_is() {
        for yes in [&b"\r\nOK\r\n\r\n>"[..], b"OK\r\n> ", b">\t \t", b">"] {
            assert!(prompted(yes), "{yes:?}");
        }
        for no in [
            &b""[..],
            b"  ",
            b"\r\nOK\r\n",
            b">\r\n",
            b"> x",
            b"ERROR\r\n",
        ] {
            assert!(!prompted(no), "{no:?}");
        }
    }
}
