//! One device's share of a run: its session, its checks (its own, then from the queue all
//! devices share), then its fuzzed cases. Progress goes to the caller's callback.

use std::io::Write;
use std::time::Instant;

use super::plan::Plan;
use super::progress::{OnProgress, Progress};
use crate::checks::{self, Ctx, Unmet};
use crate::fuzz;
use crate::report::{CheckResult, FuzzResult};
use crate::runner::{self, Verdict};
use crate::session::{Session, SessionArgs};

/// The fuzz log all devices write to, one canonical line per sequence.
pub(super) type FuzzLog = std::sync::Mutex<std::io::BufWriter<std::fs::File>>;

/// What one device did in a run.
pub(super) struct Share {
    pub identity: crate::device::Identity,
    pub mock: std::collections::BTreeMap<String, String>,
    pub judges: runner::Judges,
    pub choice: String,
    pub class: crate::report::Class,
    pub review: Vec<String>,
    pub results: Vec<CheckResult>,
    pub fuzz: FuzzResult,
    pub traffic: crate::mock::gate::Traffic,
}

/// The work one device does: its slice of the checks and of the fuzzed cases.
pub(super) struct Work<'a> {
    /// Index among the run's devices.
    pub device: usize,
    /// How many devices the run has (progress names the device when there are several).
    pub devices: usize,
    pub checks: Vec<&'a checks::Check>,
    pub cases: u32,
    pub seed: u64,
}

/// Where a share's pieces come from and go to, beside its [`Work`].
pub(super) struct Wiring<'a, 'c> {
    pub session: &'a SessionArgs,
    pub plan: &'a Plan,
    pub device: &'a crate::link::DeviceSpec,
    pub uart_log: Option<&'a std::path::Path>,
    /// The next check of the queue every device shares.
    pub shared: &'a dyn Fn() -> Option<&'c checks::Check>,
    pub fuzz_log: Option<&'a FuzzLog>,
    /// Called once the session has started or failed to (the other devices wait for it).
    pub started: &'a dyn Fn(),
    pub on: OnProgress<'a>,
}

/// One device's part of the run: its own checks, then checks from the shared queue until it
/// is empty, then its fuzzed cases.
pub(super) fn run_share<'c>(w: &Work<'c>, io: &Wiring<'_, 'c>) -> Result<Share, String> {
    let s = crate::session::start_device(io.session, io.device, io.uart_log);
    // Whether or not it came up, the other devices may start now.
    (io.started)();
    let mut s = s?;
    (io.on)(Progress::Certifying {
        link: &s.identity.link,
        spec: &runner::spec_id(),
    });
    let mut results = Vec::new();
    let mut own = w.checks.iter().copied();
    while let Some(c) = own.next().or_else(io.shared) {
        if crate::interrupt::requested().is_some() {
            break;
        }
        (io.on)(Progress::Check { name: c.name });
        let r = run_check(&mut s, c, io.plan, w.device, io.uart_log);
        (io.on)(Progress::Checked {
            name: c.name,
            verdict: &r.verdict,
            device: (w.devices > 1).then_some(w.device),
        });
        results.push(r);
    }
    let fuzz = if w.cases > 0 {
        run_fuzz(&mut s, w, io)
    } else {
        FuzzResult {
            seed: w.seed,
            ..FuzzResult::default()
        }
    };
    Ok(Share {
        identity: s.identity.clone(),
        mock: runner::mock_urls(&s.env.mock),
        judges: s.env.judges,
        choice: s.profile_choice.clone(),
        class: crate::report::Class::of(&s.env.profile),
        review: s.env.profile.review(),
        results,
        fuzz,
        traffic: s.env.mock.traffic(),
    })
}

/// Runs one check (or says why it cannot run here) and what it proves.
fn run_check(
    s: &mut Session,
    c: &checks::Check,
    plan: &Plan,
    device: usize,
    uart_log: Option<&std::path::Path>,
) -> CheckResult {
    let t0 = Instant::now();
    let log_from = s.env.device.log_offset();
    // Which clauses this run of the check proves: its own, unless a step could only be
    // judged loosely; what it touches is never proved by it.
    let mut exact = true;
    let (verdict, second, transcript) = match c.unmet(&s.env.profile, &s.env.mock, plan.skip_timing)
    {
        // Outside the device's conformance class: not evidence missing, but a
        // certificate of a smaller class (the report names it).
        Some(Unmet::OutsideClass(why)) => (Verdict::NotApplicable(why), None, None),
        Some(Unmet::Missing(why)) => (Verdict::Skipped(why), None, None),
        None => {
            let steps = (c.steps)(&Ctx::new(&s.env.mock, s.closed_port, s.env.profile));
            let ids: Vec<&str> = c.clauses.iter().map(|c| c.id()).collect();
            let mut t = runner::run(&mut s.env, c.name, &ids, &steps);
            apply_assert(c, &mut t);
            exact = t.exact();
            let keep = !matches!(t.verdict, Verdict::Pass | Verdict::NotApplicable(_))
                || t.second
                    .as_ref()
                    .is_some_and(|j| matches!(j.verdict, Verdict::Fail(_) | Verdict::Hung(_)));
            (t.verdict.clone(), t.second.clone(), keep.then_some(t))
        }
    };
    // A check cut short by a signal proves nothing and fails nothing.
    let (verdict, transcript) = match crate::interrupt::requested() {
        Some(sig) => (
            Verdict::Skipped(format!("interrupted by {sig} before it finished")),
            None,
        ),
        None => (verdict, transcript),
    };
    let ids = || c.clauses.iter().map(|x| x.id().to_string()).collect();
    let (proves, mut touched): (Vec<String>, Vec<String>) = if exact {
        (ids(), Vec::new())
    } else {
        (Vec::new(), ids())
    };
    touched.extend(c.touches.iter().map(|x| x.id().to_string()));
    let uart_excerpt = match (&verdict, uart_log, log_from) {
        (Verdict::Fail(_) | Verdict::Hung(_), Some(path), Some(from)) => {
            let to = s.env.device.log_offset().unwrap_or(from);
            crate::report::evidence::log_excerpt(path, from, to)
        }
        _ => None,
    };
    CheckResult {
        uart_excerpt,
        name: c.name.into(),
        clauses: proves,
        touched,
        verdict,
        ms: t0.elapsed().as_millis() as u64,
        transcript,
        second,
        device,
    }
}

/// A check's own assertion spells out the contract's literal answer (a cross-check of the
/// oracle): it judges the contract's verdict only.
fn apply_assert(c: &checks::Check, t: &mut runner::Transcript) {
    let Some(assert) = c.assert else { return };
    let Err(why) = assert(t) else { return };
    let contract = runner::contract_id();
    if t.verdict == Verdict::Pass && t.profile == contract {
        t.verdict = Verdict::Fail(why.clone());
    }
    if let Some(j) = t.second.as_mut()
        && j.verdict == Verdict::Pass
        && j.profile == contract
    {
        j.verdict = Verdict::Fail(why);
    }
}

/// The device's fuzzed cases: run, logged, and any failure shrunk and saved.
fn run_fuzz(s: &mut Session, w: &Work<'_>, io: &Wiring<'_, '_>) -> FuzzResult {
    let mut urls = runner::mock_urls(&s.env.mock);
    // The refused-connection endpoint differs per run too.
    urls.insert(
        "closed".into(),
        format!("http://{}:{}", s.env.mock.host, s.closed_port),
    );
    // The run's random path prefix, so that one seed logs the same lines in every run.
    let prefix = s.env.mock.prefix();
    if !prefix.is_empty() {
        urls.insert("prefix".into(), prefix);
    }
    let cases = w.cases;
    let t0 = Instant::now();
    let out = fuzz::run(
        &mut s.env,
        s.closed_port,
        fuzz::Limits {
            cases,
            seed: w.seed,
            max_shrink: io.plan.max_shrink,
            max_len: io.plan.max_len.max(1),
        },
        &|k| {
            // `k` counts this device's runs: past its cases, it is shrinking.
            if k <= u64::from(cases) {
                (io.on)(Progress::Case);
            } else {
                (io.on)(Progress::Shrinking { runs: k });
            }
        },
        &mut |t| {
            if let Some(log) = io.fuzz_log
                && let Ok(mut w) = log.lock()
            {
                let line = crate::runner::canonical_line(t, &urls);
                let _ = writeln!(w, "{}", crate::secrets::mask(&line));
            }
        },
    );
    let mut r = FuzzResult {
        seed: w.seed,
        cases,
        second_differences: out.second_differences,
        second_example: out.second_example,
        sequences: out.sequences,
        shrink_runs: out.shrink_runs,
        failing: out.failing,
        stopped_early: out.stopped_early,
        steps: out.steps,
        ms: t0.elapsed().as_millis() as u64,
        ..FuzzResult::default()
    };
    let failures = &io.plan.failures;
    let save = |t: &runner::Transcript, what: &str| match t.save(failures) {
        Ok(p) => Some(p.display().to_string()),
        Err(e) => {
            (io.on)(Progress::Warning(format!("could not save {what}: {e}")));
            None
        }
    };
    r.others = out
        .others
        .iter()
        .filter_map(|o| save(o, "a failing sequence"))
        .collect();
    if let Some(t) = out.failure {
        r.saved = save(&t, "the failure transcript");
        r.original = out
            .original
            .as_ref()
            .and_then(|o| save(o, "the original sequence"));
        r.failure = Some(t);
    }
    r
}
