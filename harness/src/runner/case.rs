//! One case from the known state to its verdict: reaching the known state, each step by its
//! kind (a mock scenario, a pause, a send), every live profile judging each answer, and the
//! settling after the last step.

use std::collections::BTreeMap;

use super::env::{Env, Judges, judge_name, lacked_command, mock_urls, spec_id};
use super::judging::{Judging, consistent_redirects, restarted_during};
use super::settle::{self, recovery_log};
use crate::bytes::Bytes;
use crate::device::{Reading, Until, step_budget, terminals};
use crate::oracle::{Expect, Loose, Model, SpecProfile, compare};
use crate::waits;
use crate::world::HttpRequest;
use crate::world::scenario::Scenario;
use crate::world::step::{Step, Within};
use crate::world::transcript::{Judged, StepRecord, Transcript, Verdict};

/// How much of a flood a transcript keeps (the step's verdict says how much came).
const FLOOD_KEPT: usize = 4096;

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
    let mut c = Case::new(env, judges, case, clauses, steps);
    if c.judgings.is_empty() || !c.start(env) {
        return c.finish();
    }
    let mut stopped = false;
    for step in steps {
        let flow = match step {
            Step::Mock { scenario } => c.mock(env, step, scenario),
            Step::Pause { ms } => c.pause(env, step, *ms),
            Step::Send {
                bytes,
                busy,
                within,
            } => c.send(env, step, bytes, busy.as_ref(), within.as_ref()),
        };
        match flow {
            Flow::Next => {}
            // The device and every model disagree from here on: later steps would only
            // repeat the failure (or wait for answers that cannot come).
            Flow::Stop => {
                stopped = true;
                break;
            }
            // Judged and recovered already (a flood, a hang).
            Flow::Over => return c.finish(),
        }
    }
    c.settle_after_case(env, stopped);
    c.finish()
}

/// What a step leaves the case to do.
enum Flow {
    /// Go on with the next step.
    Next,
    /// Every profile disagrees: stop, then settle.
    Stop,
    /// The verdict is in and the device recovered: nothing more to run or settle.
    Over,
}

/// A case under way: its transcript so far and each profile's judging.
struct Case {
    t: Transcript,
    judges: Judges,
    /// Why a profile does not apply to this case (it lacks a command the case sends).
    primary_na: Option<String>,
    second_na: Option<(&'static SpecProfile, Option<String>)>,
    /// The profiles that apply, primary first.
    judgings: Vec<Judging>,
}

impl Case {
    fn new(env: &Env, judges: Judges, case: &str, clauses: &[&str], steps: &[Step]) -> Case {
        let not_applicable = |j: &SpecProfile| {
            lacked_command(j, steps)
                .map(|c| format!("not applicable: {} has no {c}", judge_name(j)))
        };
        let primary_na = not_applicable(judges.primary);
        let second_na = judges.second.map(|j| (j, not_applicable(j)));
        let mut judgings = Vec::new();
        let applicable = std::iter::once((judges.primary, &primary_na))
            .chain(second_na.as_ref().map(|(j, na)| (*j, na)));
        for (judge, na) in applicable {
            if na.is_none() {
                judgings.push(Judging {
                    judge,
                    model: Model::judged(env.profile, judge),
                    failed: None,
                });
            }
        }
        let t = Transcript {
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
        Case {
            t,
            judges,
            primary_na,
            second_na,
            judgings,
        }
    }

    /// Fails every profile that still agrees, with `why`.
    fn fail_live(&mut self, why: &str) {
        for g in self.judgings.iter_mut().filter(|g| g.failed.is_none()) {
            g.failed = Some(why.to_string());
        }
    }

    fn all_failed(&self) -> bool {
        self.judgings.iter().all(|g| g.failed.is_some())
    }

    /// Brings the device to the known state (recovering it when it is not there) and the
    /// mock peer to its default scenario. `false`: the case cannot run, its verdict is in.
    fn start(&mut self, env: &mut Env) -> bool {
        if let Some(why) = env.device.lost() {
            self.t.verdict = Verdict::Hung(why.to_string());
            return false;
        }
        if let Err(e) = env.device.known_state() {
            match env.device.recover() {
                Ok(log) if env.device.known_state().is_ok() => self.t.recovery = log,
                Ok(log) => {
                    self.t.verdict = Verdict::Hung(format!(
                        "could not reach the known state: {e}; recovery: {}",
                        log.join(" → ")
                    ));
                    return false;
                }
                Err(r) => {
                    self.t.verdict = Verdict::Hung(format!(
                        "could not reach the known state: {e}; recovery: {r}"
                    ));
                    return false;
                }
            }
        }
        if env.device.take_restarted() {
            // Nothing of the harness's restarted it: the device rebooted on its own since the
            // last case ended. That is this case's failure (its known state was not kept).
            self.fail_live(
                "the device restarted between cases: it printed `ready` unprompted before this case's first step",
            );
            return false;
        }
        env.mock.set(&Scenario::default());
        let _ = env.mock.take_requests();
        let _ = env.mock.take_faults();
        for g in &mut self.judgings {
            g.model.syslog = true;
        }
        true
    }

    /// A mock step: the peer answers by `scenario` from here on.
    fn mock(&mut self, env: &mut Env, step: &Step, scenario: &Scenario) -> Flow {
        env.mock.set(scenario);
        self.t.records.push(StepRecord::of(step, Vec::new(), 0));
        Flow::Next
    }

    /// A pause: the device must stay silent (a data phase has no timeout, a command nothing
    /// more to say). A transcript's pause is data from a file: it is bounded by --timeout.
    fn pause(&mut self, env: &mut Env, step: &Step, ms: u64) -> Flow {
        let quiet = std::time::Duration::from_millis(ms).min(env.device.timeout);
        let heard = env.device.drain(waits::Window { quiet, max: quiet });
        let mismatch = (!heard.is_empty()).then(|| {
            format!(
                "output during a {ms} ms pause: `{}`",
                crate::bytes::escape(&heard)
            )
        });
        if let Some(m) = &mismatch {
            self.fail_live(m);
        }
        self.t.records.push(StepRecord {
            mismatch,
            ..StepRecord::of(step, heard, ms)
        });
        if self.all_failed() {
            Flow::Stop
        } else {
            Flow::Next
        }
    }

    /// A send: every live profile predicts, the device answers, each profile judges.
    fn send(
        &mut self,
        env: &mut Env,
        step: &Step,
        bytes: &Bytes,
        busy: Option<&Bytes>,
        within: Option<&Within>,
    ) -> Flow {
        let world = env.mock.world();
        let busy_bytes = busy.map(|b| &b.0[..]);
        // Every profile still agreeing predicts; the first leads the exchange, the others'
        // answers are more endings the exchange waits for.
        let live: Vec<usize> = (0..self.judgings.len())
            .filter(|&i| self.judgings[i].failed.is_none())
            .collect();
        let xs: Vec<Expect> = live
            .iter()
            .map(|&i| self.judgings[i].model.step(&bytes.0, busy_bytes, &world))
            .collect();
        let reading = exchange(env, bytes, busy_bytes, &xs);
        let seen = env.mock.take_requests();
        // HTTP.REQUEST.LINE: how the requests were framed, which no recorded request shows.
        let malformed = env.mock.take_faults();
        let mut rec = StepRecord {
            expected: Bytes(xs[0].output.clone()),
            expected_requests: xs[0].requests.clone(),
            seen_requests: seen.iter().map(HttpRequest::to_string).collect(),
            loose: matches!(xs[0].loose, Some(Loose::AnyFinal)),
            ..StepRecord::of(step, reading.bytes.clone(), reading.took.as_millis() as u64)
        };
        if let Some(total) = reading.flooded {
            // A flood is the device's failure, judged at once; recovery brings it back.
            let why = format!(
                "device flooded {total} bytes answering `{}` (more than the step's budget of {} bytes; the transcript keeps the first {FLOOD_KEPT}, truncated); the first bytes: `{}`",
                bytes.escaped(),
                step_budget(xs[0].output.len()),
                crate::bytes::escape(&reading.bytes[..reading.bytes.len().min(256)])
            );
            rec.actual = Bytes(reading.bytes[..reading.bytes.len().min(FLOOD_KEPT)].to_vec());
            rec.mismatch = Some(why.clone());
            self.t.records.push(rec);
            self.fail_live(&why);
            self.t.recovery = recovery_log(env.device.recover());
            return Flow::Over;
        }
        if reading.hung {
            let why = format!(
                "no complete answer to `{}` within {:?}; got `{}`",
                bytes.escaped(),
                env.device.timeout,
                crate::bytes::escape(&reading.bytes)
            );
            rec.mismatch = Some(why.clone());
            self.t.records.push(rec);
            self.t.verdict = Verdict::Hung(why);
            self.t.recovery = recovery_log(env.device.recover());
            return Flow::Over;
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
        let answer = Answer {
            bytes,
            reading: &reading,
            seen: &seen,
            malformed: &malformed,
            late,
        };
        self.judge_all(&mut env.redirects, &live, &xs, &answer, &mut rec);
        self.t.records.push(rec);
        if self.all_failed() {
            Flow::Stop
        } else {
            Flow::Next
        }
    }

    /// Every live profile (`live[k]` predicted `xs[k]`) judges the answer; the first one's
    /// reading and disagreement go into the step's record.
    fn judge_all(
        &mut self,
        redirects: &mut BTreeMap<&'static str, (bool, String)>,
        live: &[usize],
        xs: &[Expect],
        a: &Answer,
        rec: &mut StepRecord,
    ) {
        let here = format!("`{}` ({})", a.bytes.escaped(), self.t.case);
        for (k, &i) in live.iter().enumerate() {
            let g = &mut self.judgings[i];
            let x = &xs[k];
            let verdict = g
                .judge(x, &a.reading.bytes, a.seen, a.bytes)
                .and_then(|taken| a.in_time(x, taken))
                .and_then(|taken| a.well_formed(taken))
                .and_then(|taken| {
                    consistent_redirects(redirects, g.judge.id, x, taken.as_ref(), &here)
                        .map(|()| taken)
                        .map_err(|why| (why, None))
                });
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
                    let why = restarted_during(a.bytes, &x.output, &a.reading.bytes, why);
                    if k == 0 {
                        rec.mismatch = Some(why.clone());
                        rec.diff = diff;
                    }
                    g.failed = Some(if std::ptr::eq(g.judge, self.judges.primary) {
                        why
                    } else {
                        format!("differs from {}: {why}", judge_name(g.judge))
                    });
                }
            }
        }
    }

    /// After the last step (or a stop): nothing may follow the last answer, what the device
    /// still prints belongs to this case, and a data phase the case opened is left.
    fn settle_after_case(&mut self, env: &mut Env, stopped: bool) {
        // Nothing of the case follows its last final result.
        implements!(ResultFinalLast);
        let trailer = env.device.drain(waits::TRAILER);
        if !trailer.is_empty() {
            let restarted = if crate::device::has_line(&trailer, b"ready") {
                "the device restarted after the last answer (it printed `ready` unprompted); "
            } else {
                ""
            };
            self.fail_live(&format!(
                "{restarted}unexpected output after the last answer: `{}`",
                crate::bytes::escape(&trailer)
            ));
        }
        let mut data_phase_settled = false;
        if (stopped || !trailer.is_empty())
            && let Some((settled, log)) = settle::after_stop(&mut env.device, &self.t.records)
        {
            data_phase_settled = settled;
            self.t.recovery = log;
        }
        // The model that followed the device furthest says where it was left.
        let left_in_data = self
            .judgings
            .iter()
            .find(|g| g.failed.is_none())
            .or(self.judgings.first())
            .is_some_and(|g| g.model.in_data_phase());
        if left_in_data && !data_phase_settled {
            // A case that leaves the device in a data phase would poison the next one.
            self.t.recovery = recovery_log(env.device.recover());
        }
    }

    /// The transcript with its verdicts: the primary profile's (unless the device hung), and
    /// the second profile's beside it.
    fn finish(self) -> Transcript {
        let Case {
            mut t,
            judges,
            primary_na,
            second_na,
            judgings,
        } = self;
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
        t
    }
}

/// Writes a send step and reads its answer until it is complete by the leading expectation,
/// or has diverged from every expectation and every reading they allow.
fn exchange(env: &mut Env, bytes: &Bytes, busy: Option<&[u8]>, xs: &[Expect]) -> Reading {
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
    let until = Until {
        finals: terminals(&xs[0].output, xs[0].prompt),
        len: xs[0].output.len(),
        prompt: xs[0].prompt,
        diverged: &diverged,
        requested: (busy.is_some() && !xs[0].requests.is_empty())
            .then_some(&requested as &dyn Fn() -> bool),
    };
    env.device.exchange(&bytes.0, busy, &until)
}

/// A send step's answer, as every profile judges it.
struct Answer<'a> {
    bytes: &'a Bytes,
    reading: &'a Reading,
    seen: &'a [HttpRequest],
    /// How the requests were framed wrongly (`HTTP.REQUEST.LINE`).
    malformed: &'a [String],
    /// The answer came outside the step's timing window: why.
    late: Option<String>,
}

type Judgement = Result<Option<crate::oracle::Reading>, super::judging::Disagreement>;

impl Answer<'_> {
    /// A window times a transaction: a profile that expects the line refused before any
    /// request (a version without the parameter) does not hold it to the window.
    fn in_time(&self, x: &Expect, taken: Option<crate::oracle::Reading>) -> Judgement {
        match &self.late {
            Some(why) if !x.requests.is_empty() => Err((why.clone(), None)),
            _ => Ok(taken),
        }
    }

    /// An answer that matched still fails when its request was malformed.
    fn well_formed(&self, taken: Option<crate::oracle::Reading>) -> Judgement {
        if self.malformed.is_empty() {
            return Ok(taken);
        }
        Err((
            format!(
                "the request answering `{}` is malformed: {}",
                self.bytes.escaped(),
                self.malformed.join("; ")
            ),
            None,
        ))
    }
}
