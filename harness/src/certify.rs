//! A certification run as one function, [`certify()`]: what `atspec certify` does between
//! parsing its arguments and printing the report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::checks::{self, Ctx, Needs, Unmet};
use crate::fuzz;

use crate::report::{CheckResult, FuzzResult, Report};
use crate::runner::{self, Verdict};
use crate::session::SessionArgs;

/// What a certification runs: which checks, how much fuzzing, and where its by-products go.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Fuzzing seed (the same seed gives the same sequences).
    pub seed: u64,
    /// Fuzzed command sequences to run (0: no fuzzing).
    pub cases: u32,
    /// Longest time to spend shrinking a fuzzing failure.
    pub max_shrink: Duration,
    /// Most transitions in one fuzzed sequence.
    pub max_len: usize,
    /// Run only the checks of these clause ids, and no fuzzing (empty: every check).
    pub clauses: Vec<String>,
    /// This run's slice of a split certification.
    pub shard: Shard,
    /// Directory for shrunk failure transcripts.
    pub failures: PathBuf,
    /// Write every fuzzed sequence as one canonical JSON line here.
    pub fuzz_log: Option<PathBuf>,
    /// One UART log file per device (none: no logs).
    pub uart_logs: Vec<PathBuf>,
    /// No progress bar or progress lines.
    pub quiet: bool,
    /// Skip the checks that wait on purpose ([`checks::Check`]`::timing`): a quicker run whose
    /// report is INCOMPLETE, never a certificate (for tests of everything but timing).
    pub skip_timing: bool,
    /// Clauses the certifier exempts on purpose, each with its reason (`--waive FILE`).
    pub waivers: Vec<crate::report::Waiver>,
}

impl Default for Plan {
    /// What `atspec certify` does without options.
    fn default() -> Self {
        Plan {
            seed: 0x5eed,
            cases: 500,
            max_shrink: Duration::from_secs(60),
            max_len: 8,
            clauses: Vec::new(),
            shard: Shard { index: 1, count: 1 },
            failures: PathBuf::from("atspec-failures"),
            fuzz_log: None,
            uart_logs: Vec::new(),
            quiet: true,
            skip_timing: false,
            waivers: Vec::new(),
        }
    }
}

/// Why a certification could not run (a run that finds the device non-conformant is not an
/// error: see [`Report::conformant`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The plan asks for something impossible (an unknown clause, a bad shard, an unwritable
    /// file).
    Usage(String),
    /// A device, its link or the mock peer did not come up.
    Setup(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(e) => write!(f, "{e}"),
            Error::Setup(e) => write!(f, "setup failed: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// `--shard I/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    /// How many.
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected I/N, e.g. 2/4"))?;
        let index: u32 = i.trim().parse().map_err(|_| format!("`{s}`: bad I"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("`{s}`: bad N"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("`{s}`: I must be 1..=N"));
        }
        Ok(Shard { index, count })
    }
}

/// What one device did in a run.
struct Share {
    identity: crate::device::Identity,
    mock: std::collections::BTreeMap<String, String>,
    judges: runner::Judges,
    choice: String,
    class: crate::report::Class,
    review: Vec<String>,
    results: Vec<CheckResult>,
    fuzz: FuzzResult,
    traffic: crate::mock::gate::Traffic,
}

/// The work one device does: its slice of the checks and of the fuzzed cases.
struct Work<'a> {
    /// Index among the run's devices.
    device: usize,
    checks: Vec<&'a checks::Check>,
    cases: u32,
    seed: u64,
}

/// Runs a certification: every selected check, then the fuzzed sequences, on every device
/// of `session` (each on its own thread with its own mock peer), and one report of it all.
/// Progress goes to stderr unless `plan.quiet`; nothing else is printed or written except the
/// fuzzing failures (`plan.failures`), the fuzz log and the UART logs the plan names.
pub fn certify(session: &SessionArgs, plan: &Plan) -> Result<Report, Error> {
    let started = Instant::now();
    let (ci_shards, ci_shard) = (plan.shard.count as usize, plan.shard.index as usize - 1);
    if plan.shard.index == 0 || plan.shard.index > plan.shard.count {
        return Err(Error::Usage(format!(
            "shard {} of {}: the index must be 1..=count",
            plan.shard.index, plan.shard.count
        )));
    }
    for id in &plan.clauses {
        if crate::syntax::host::Clause::from_id(id).is_none() {
            return Err(Error::Usage(format!(
                "unknown clause `{id}` (see docs/reference.md for ids)"
            )));
        }
    }
    let devices = session.device_list();
    let n = devices.len();
    // Every check and fuzzed case is in exactly one slice: the CI shard's share, split again
    // among this run's devices.
    let slices = ci_shards * n;
    let all = checks::all();
    let selected: Vec<(usize, &checks::Check)> = all
        .iter()
        .filter(|c| {
            plan.clauses.is_empty()
                || c.clauses
                    .iter()
                    .any(|id| plan.clauses.iter().any(|x| x == id.id()))
        })
        .enumerate()
        .collect();
    let fuzzing = plan.clauses.is_empty();
    // This CI shard's checks, shared out among its devices: host/path-mode checks go to the
    // first device, whose mock peer is started first and so holds ports 80 and 443.
    let mine: Vec<&checks::Check> = selected
        .iter()
        .filter(|(i, _)| i % ci_shards == ci_shard)
        .map(|(_, c)| *c)
        .collect();
    // The rest wait in one queue: each device takes the next check when it is free, so a
    // device that drew long checks (large bodies at a slow line rate) does not hold up the run.
    let mut per_device: Vec<Vec<&checks::Check>> = vec![Vec::new(); n];
    let mut queue = std::collections::VecDeque::new();
    for c in mine {
        if matches!(c.needs, Needs::WellKnownPorts) {
            per_device[0].push(c);
        } else {
            queue.push_back(c);
        }
    }
    let queue = std::sync::Mutex::new(queue);
    let works: Vec<Work> = per_device
        .into_iter()
        .enumerate()
        .map(|(d, checks)| {
            let slice = ci_shard * n + d;
            let cases = if fuzzing {
                plan.cases / slices as u32 + u32::from((slice as u32) < plan.cases % slices as u32)
            } else {
                0
            };
            Work {
                device: d,
                checks,
                cases,
                seed: plan.seed.wrapping_add(slice as u64),
            }
        })
        .collect();
    // The first device's session starts before the others (see above).
    let first_started = (std::sync::Mutex::new(false), std::sync::Condvar::new());
    let logs = &plan.uart_logs;
    let fuzz_log = match &plan.fuzz_log {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(std::sync::Mutex::new(std::io::BufWriter::new(f))),
            Err(e) => return Err(Error::Usage(format!("cannot write {}: {e}", p.display()))),
        },
        None => None,
    };
    let total_checks: usize =
        works.iter().map(|w| w.checks.len()).sum::<usize>() + queue.lock().map_or(0, |q| q.len());
    let total_cases: u32 = works.iter().map(|w| w.cases).sum();
    let pb = bar(total_checks as u64, plan.quiet, "checks");
    let fb = bar(u64::from(total_cases), plan.quiet, "fuzzing");
    // Each device runs on its own thread with its own mock peer: the run takes as long as
    // its slowest device.
    let shares: Vec<Result<Share, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = works
            .iter()
            .map(|w| {
                let (pb, fb, log, first, queue) = (&pb, &fb, &fuzz_log, &first_started, &queue);
                let device = &devices[w.device];
                let uart = logs.get(w.device).cloned();
                scope.spawn(move || {
                    let (started, cv) = first;
                    if w.device > 0 {
                        let mut go = started.lock().unwrap_or_else(|e| e.into_inner());
                        while !*go {
                            go = cv.wait(go).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    let signal = || {
                        if w.device == 0 {
                            *started.lock().unwrap_or_else(|e| e.into_inner()) = true;
                            cv.notify_all();
                        }
                    };
                    let next = || queue.lock().ok().and_then(|mut q| q.pop_front());
                    run_share(
                        session,
                        plan,
                        device,
                        uart.as_deref(),
                        w,
                        &next,
                        n,
                        pb,
                        fb,
                        log,
                        &signal,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a device thread panicked".into()))
            })
            .collect()
    });
    pb.finish_and_clear();
    fb.finish_and_clear();
    if let Some(log) = &fuzz_log
        && let Ok(mut w) = log.lock()
    {
        let _ = w.flush();
    }
    let mut ok = Vec::new();
    for (d, s) in shares.into_iter().enumerate() {
        match s {
            Ok(s) => ok.push(s),
            Err(e) => {
                let which = if n > 1 {
                    format!(" (device {}: {:?})", d + 1, devices[d])
                } else {
                    String::new()
                };
                return Err(Error::Setup(format!("{e}{which}")));
            }
        }
    }
    Ok(merge_shares(ok, plan, logs, started))
}

/// Why a timing check did not run.
const SKIPPED_TIMING: &str = "a timing check, skipped (--skip-timing)";

fn bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(
        Some(len),
        if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    pb.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:40}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_prefix(what.to_string());
    pb
}

/// One device's part of the run: its own checks, then checks from the shared queue until it is
/// empty, then its fuzzed cases.
#[allow(clippy::too_many_arguments)]
fn run_share<'a>(
    session: &SessionArgs,
    plan: &Plan,
    device: &crate::link::DeviceSpec,
    uart_log: Option<&std::path::Path>,
    w: &Work<'a>,
    shared: &dyn Fn() -> Option<&'a checks::Check>,
    devices: usize,
    pb: &ProgressBar,
    fb: &ProgressBar,
    fuzz_log: &Option<std::sync::Mutex<std::io::BufWriter<std::fs::File>>>,
    started: &dyn Fn(),
) -> Result<Share, String> {
    let s = crate::session::start_device(session, device, uart_log);
    // Whether or not it came up, the other devices may start now.
    started();
    let mut s = s?;
    if !plan.quiet {
        pb.println(format!(
            "certifying {} against {}",
            s.identity.link,
            runner::spec_id()
        ));
    }
    let tag = if devices > 1 {
        format!(" [device {}]", w.device + 1)
    } else {
        String::new()
    };
    let mut results = Vec::new();
    let mut own = w.checks.iter().copied();
    while let Some(c) = own.next().or_else(shared) {
        if crate::interrupt::requested().is_some() {
            break;
        }
        pb.set_message(c.name);
        let t0 = Instant::now();
        let unmet = if plan.skip_timing && c.timing {
            Some(Unmet::Missing(SKIPPED_TIMING.into()))
        } else {
            c.needs.unmet(&s.env.profile, &s.env.mock)
        };
        // Which clauses this run of the check proves: its own, unless a step could only be
        // judged loosely; what it touches is never proved by it.
        let mut exact = true;
        let (verdict, second, transcript) = match unmet {
            // Outside the device's conformance class: not evidence missing, but a certificate
            // of a smaller class (the report names it).
            Some(Unmet::OutsideClass(why)) => (Verdict::NotApplicable(why), None, None),
            Some(Unmet::Missing(why)) => (Verdict::Skipped(why), None, None),
            None => {
                let steps = (c.steps)(&Ctx::new(&s.env.mock, s.closed_port, s.env.profile));
                let ids: Vec<&str> = c.clauses.iter().map(|c| c.id()).collect();
                let mut t = runner::run(&mut s.env, c.name, &ids, &steps);
                if let Some(assert) = c.assert
                    && let Err(why) = assert(&t)
                {
                    // A check's own assertion spells out the contract's literal answer
                    // (a cross-check of the oracle): it judges the contract's verdict only.
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
        if !matches!(
            verdict,
            Verdict::Pass | Verdict::Skipped(_) | Verdict::NotApplicable(_)
        ) {
            pb.println(format!("{} {}{tag}", verdict.name(), c.name));
        }
        let (proves, mut touched): (Vec<String>, Vec<String>) = if exact {
            (
                c.clauses.iter().map(|x| x.id().to_string()).collect(),
                Vec::new(),
            )
        } else {
            (
                Vec::new(),
                c.clauses.iter().map(|x| x.id().to_string()).collect(),
            )
        };
        touched.extend(c.touches.iter().map(|x| x.id().to_string()));
        results.push(CheckResult {
            name: c.name.into(),
            clauses: proves,
            touched,
            verdict,
            ms: t0.elapsed().as_millis() as u64,
            transcript,
            second,
            device: w.device,
        });
        pb.inc(1);
    }
    let mut fuzz_result = FuzzResult {
        seed: w.seed,
        ..FuzzResult::default()
    };
    if w.cases > 0 {
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
        let out = fuzz::run(
            &mut s.env,
            s.closed_port,
            fuzz::Limits {
                cases,
                seed: w.seed,
                max_shrink: plan.max_shrink,
                max_len: plan.max_len.max(1),
            },
            &|k| {
                // `k` counts this device's runs; the bar counts every device's.
                if k <= u64::from(cases) {
                    fb.inc(1);
                } else {
                    fb.set_message(format!("shrinking ({k} runs)"));
                }
            },
            &mut |t| {
                if let Some(log) = fuzz_log
                    && let Ok(mut w) = log.lock()
                {
                    let line = crate::runner::canonical_line(t, &urls);
                    let _ = writeln!(w, "{}", crate::secrets::mask(&line));
                }
            },
        );
        fuzz_result.cases = cases;
        fuzz_result.second_differences = out.second_differences;
        fuzz_result.second_example = out.second_example;
        fuzz_result.sequences = out.sequences;
        fuzz_result.shrink_runs = out.shrink_runs;
        fuzz_result.failing = out.failing;
        fuzz_result.stopped_early = out.stopped_early;
        fuzz_result.steps = out.steps;
        for o in &out.others {
            match o.save(&plan.failures) {
                Ok(p) => fuzz_result.others.push(p.display().to_string()),
                Err(e) => eprintln!("atspec: could not save a failing sequence: {e}"),
            }
        }
        if let Some(t) = out.failure {
            match t.save(&plan.failures) {
                Ok(p) => fuzz_result.saved = Some(p.display().to_string()),
                Err(e) => eprintln!("atspec: could not save the failure transcript: {e}"),
            }
            if let Some(o) = &out.original {
                match o.save(&plan.failures) {
                    Ok(p) => fuzz_result.original = Some(p.display().to_string()),
                    Err(e) => {
                        eprintln!("atspec: could not save the original sequence: {e}")
                    }
                }
            }
            fuzz_result.failure = Some(t);
        }
    }
    Ok(Share {
        identity: s.identity.clone(),
        mock: runner::mock_urls(&s.env.mock),
        judges: s.env.judges,
        choice: s.profile_choice.clone(),
        class: crate::report::Class::of(&s.env.profile),
        review: s.env.profile.review(),
        results,
        fuzz: fuzz_result,
        traffic: s.env.mock.traffic(),
    })
}

/// One report from every device's share.
fn merge_shares(shares: Vec<Share>, plan: &Plan, logs: &[PathBuf], started: Instant) -> Report {
    let (ci_shards, ci_shard) = (plan.shard.count as usize, plan.shard.index as usize - 1);
    let class = shares[0].class;
    let review = shares[0].review.clone();
    let mut identities = Vec::new();
    let mut results = Vec::new();
    let mut fuzzes = Vec::new();
    let mut choices = Vec::new();
    let first_judges = shares[0].judges;
    let mock = shares[0].mock.clone();
    let mut traffic = crate::mock::gate::Traffic::default();
    for (d, s) in shares.into_iter().enumerate() {
        traffic.absorb(&s.traffic);
        let mut identity = s.identity;
        if ci_shards > 1 {
            identity.shard = Some(format!("{} of {}", ci_shard + 1, ci_shards));
        }
        identity.uart_log = logs.get(d).map(|p| p.display().to_string());
        identities.push(identity);
        results.extend(s.results);
        fuzzes.push(s.fuzz);
        choices.push(s.choice);
    }
    choices.dedup();
    // In check order, whichever device ran each.
    let order: std::collections::HashMap<&str, usize> = checks::all()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name, i))
        .collect();
    results.sort_by_key(|r| order.get(r.name.as_str()).copied().unwrap_or(usize::MAX));
    let mut report = Report::build(
        identities,
        mock,
        started.elapsed().as_millis() as u64,
        results,
        fuzzes,
        first_judges,
        crate::report::Basis {
            profile_choice: choices.join("; "),
            scope: crate::report::Scope {
                shard_count: plan.shard.count,
                shards: vec![plan.shard.index],
                clauses: plan.clauses.clone(),
                skip_timing: plan.skip_timing,
                cases: plan.cases,
                seed: plan.seed,
            },
            class,
            waivers: plan.waivers.clone(),
            review,
            interrupted: crate::interrupt::requested().map(str::to_string),
        },
    );
    report.traffic = traffic;
    report
}
