//! `atspec certify`: clause checks, stateful fuzzing, certification reports.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::session::{self, SessionArgs};
use crate::checks::{self, Ctx, Needs};
use crate::fuzz;
use crate::report::{self, CheckResult, FuzzResult, Report, terminal::Style};
use crate::runner::{self, Verdict};

/// Arguments of `atspec certify`.
#[derive(Debug, clap::Args)]
pub struct CertifyArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// Fuzzing seed (the same seed gives the same sequences).
    #[arg(long, default_value_t = 0x5eed)]
    seed: u64,
    /// Fuzzed command sequences to run (0: no fuzzing).
    #[arg(long, default_value_t = 500)]
    cases: u32,
    /// Longest time to spend shrinking a fuzzing failure.
    #[arg(long, default_value = "60", value_name = "SECONDS")]
    max_shrink_time: u64,
    /// Most transitions in one fuzzed sequence.
    #[arg(long, default_value_t = 8)]
    max_len: usize,
    /// Run only the checks of this clause (repeatable); no fuzzing.
    #[arg(long = "clause", value_name = "ID")]
    clauses: Vec<String>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write every fuzzed sequence as one JSON line (steps, expected and actual bytes, mock
    /// ports replaced by endpoint names, body pieces merged): the same seed gives the same file.
    #[arg(long, value_name = "FILE")]
    fuzz_log: Option<PathBuf>,
    /// Directory for shrunk failure transcripts.
    #[arg(long, default_value = "atspec-failures", value_name = "DIR")]
    failures: PathBuf,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Split the run across this many CI runners (or devices): this run does its share.
    #[arg(long, default_value_t = 1, value_name = "N")]
    parallel_count: u32,
    /// Which share this run does, 1..=N: every Nth check from the Ith, and its part of the
    /// fuzzed cases with its own seed (`--seed` + I − 1). The shards' reports together cover
    /// the whole run.
    #[arg(long, default_value_t = 1, value_name = "I")]
    parallel_index: u32,
    /// This run's slice of a split certification, I/N (the same as --parallel-index I
    /// --parallel-count N); `atspec report merge` joins the slices' JSON reports.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["parallel_count", "parallel_index"])]
    shard: Option<Shard>,
    /// Directory for the per-device UART logs (default: next to the first report file given,
    /// as `<report>.device-N.uart.log`).
    #[arg(long, value_name = "DIR")]
    logs: Option<PathBuf>,
}

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
    results: Vec<CheckResult>,
    fuzz: FuzzResult,
}

/// The work one device does: its slice of the checks and of the fuzzed cases.
struct Work<'a> {
    /// Index among the run's devices.
    device: usize,
    checks: Vec<&'a checks::Check>,
    cases: u32,
    seed: u64,
}

/// Runs `atspec certify`.
pub fn run(a: CertifyArgs) -> ExitCode {
    let started = Instant::now();
    let (ci_shards, ci_shard) = match a.shard {
        Some(s) => (s.count as usize, s.index as usize - 1),
        None => {
            if a.parallel_count == 0 || a.parallel_index == 0 || a.parallel_index > a.parallel_count
            {
                eprintln!(
                    "atspec certify: --parallel-index must be 1..=--parallel-count (got {} of {})",
                    a.parallel_index, a.parallel_count
                );
                return ExitCode::from(2);
            }
            (a.parallel_count as usize, a.parallel_index as usize - 1)
        }
    };
    for id in &a.clauses {
        if crate::syntax::host::Clause::from_id(id).is_none() {
            eprintln!("atspec certify: unknown clause `{id}` (see docs/reference.md for ids)");
            return ExitCode::from(2);
        }
    }
    let devices = a.session.device_list();
    let n = devices.len();
    // Every check and fuzzed case is in exactly one slice: the CI shard's share, split again
    // among this run's devices.
    let slices = ci_shards * n;
    let all = checks::all();
    let selected: Vec<(usize, &checks::Check)> = all
        .iter()
        .filter(|c| {
            a.clauses.is_empty()
                || c.clauses
                    .iter()
                    .any(|id| a.clauses.iter().any(|x| x == id.id()))
        })
        .enumerate()
        .collect();
    let fuzzing = a.clauses.is_empty();
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
                a.cases / slices as u32 + u32::from((slice as u32) < a.cases % slices as u32)
            } else {
                0
            };
            Work {
                device: d,
                checks,
                cases,
                seed: a.seed.wrapping_add(slice as u64),
            }
        })
        .collect();
    // The first device's session starts before the others (see above).
    let first_started = (std::sync::Mutex::new(false), std::sync::Condvar::new());
    let logs = match uart_logs(&a, n) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("atspec certify: {e}");
            return ExitCode::from(2);
        }
    };
    let fuzz_log = match &a.fuzz_log {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(std::sync::Mutex::new(std::io::BufWriter::new(f))),
            Err(e) => {
                eprintln!("atspec certify: cannot write {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let total_checks: usize =
        works.iter().map(|w| w.checks.len()).sum::<usize>() + queue.lock().map_or(0, |q| q.len());
    let total_cases: u32 = works.iter().map(|w| w.cases).sum();
    let pb = bar(total_checks as u64, a.quiet, "checks");
    let fb = bar(u64::from(total_cases), a.quiet, "fuzzing");
    // Each device runs on its own thread with its own mock peer: the run takes as long as
    // its slowest device.
    let shares: Vec<Result<Share, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = works
            .iter()
            .map(|w| {
                let (a, pb, fb, log, first, queue) =
                    (&a, &pb, &fb, &fuzz_log, &first_started, &queue);
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
                        a,
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
                    format!(" (device {}: {})", d + 1, describe(&devices[d]))
                } else {
                    String::new()
                };
                eprintln!("atspec certify: setup failed{which}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let report = merge_shares(ok, ci_shards, ci_shard, &logs, started);
    let style = Style {
        color: std::io::stdout().is_terminal(),
    };
    print!("{}", report::terminal::render(style, &report));
    write_reports(&report, &a.json, &a.junit, &a.html)
}

fn describe(d: &crate::link::DeviceSpec) -> String {
    format!("{d:?}")
}

/// Where each device's UART log goes: `--logs DIR`, else next to the first report file given
/// (`<stem>.device-N.uart.log`), else nowhere.
fn uart_logs(a: &CertifyArgs, n: usize) -> Result<Vec<PathBuf>, String> {
    let (dir, stem) = match (
        &a.logs,
        [&a.html, &a.json, &a.junit].into_iter().flatten().next(),
    ) {
        (Some(d), _) => (d.clone(), "atspec".to_string()),
        (None, Some(report)) => (
            report
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".")),
            report
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "atspec".into()),
        ),
        (None, None) => return Ok(Vec::new()),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok((1..=n)
        .map(|d| dir.join(format!("{stem}.device-{d}.uart.log")))
        .collect())
}

/// One device's part of the run: its own checks, then checks from the shared queue until it is
/// empty, then its fuzzed cases.
#[allow(clippy::too_many_arguments)]
fn run_share<'a>(
    a: &CertifyArgs,
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
    let s = session::start_device(&a.session, device, uart_log);
    // Whether or not it came up, the other devices may start now.
    started();
    let mut s = s?;
    if !a.quiet {
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
        pb.set_message(c.name);
        let t0 = Instant::now();
        let skip = match c.needs {
            Needs::Nothing => None,
            Needs::Fronts(_) if !s.env.profile.tls => {
                Some("not applicable: the device profile declares no TLS".to_string())
            }
            Needs::Fronts(fs) => fs
                .iter()
                .find(|f| !runner::has_front(&s.env, **f))
                .map(|f| {
                    format!(
                        "needs the {f:?} TLS front (virtual board, or --server-cert/--server-key)"
                    )
                }),
            Needs::CheadLimit => s.env.profile.chead_entry_max.is_none().then(|| {
                "the device profile declares no AT+HTTPCHEAD entry limit (chead_entry_max)"
                    .to_string()
            }),
            Needs::SendLimit => s.env.profile.send_length_max.is_none().then(|| {
                "the device profile declares no AT+HTTPCPOST/PUT length limit (send_length_max)"
                    .to_string()
            }),
            Needs::WellKnownPorts if !s.env.profile.tls => Some(
                "not applicable: host/path mode's transport 2 is HTTPS on port 443, and the device profile declares no TLS"
                    .to_string(),
            ),
            Needs::WellKnownPorts => (!s.env.mock.has_well_known_ports())
                .then(|| "needs the mock peer on ports 80 and 443 (host/path mode)".to_string()),
        };
        // Which clauses this run of the check proves: its own, unless a step could only be
        // judged loosely; what it touches is never proved by it.
        let mut exact = true;
        let (verdict, second, transcript) = match skip {
            Some(why) => (Verdict::Skipped(why), None, None),
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
        let cases = w.cases;
        let out = fuzz::run(
            &mut s.env,
            s.closed_port,
            fuzz::Limits {
                cases,
                seed: w.seed,
                max_shrink: Duration::from_secs(a.max_shrink_time),
                max_len: a.max_len.max(1),
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
                    let _ = writeln!(w, "{}", crate::runner::canonical_line(t, &urls));
                }
            },
        );
        fuzz_result.cases = cases;
        fuzz_result.second_differences = out.second_differences;
        fuzz_result.second_example = out.second_example;
        fuzz_result.sequences = out.sequences;
        fuzz_result.steps = out.steps;
        if let Some(t) = out.failure {
            match t.save(&a.failures) {
                Ok(p) => fuzz_result.saved = Some(p.display().to_string()),
                Err(e) => eprintln!("atspec certify: could not save the failure transcript: {e}"),
            }
            if let Some(o) = &out.original {
                match o.save(&a.failures) {
                    Ok(p) => fuzz_result.original = Some(p.display().to_string()),
                    Err(e) => {
                        eprintln!("atspec certify: could not save the original sequence: {e}")
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
        results,
        fuzz: fuzz_result,
    })
}

/// One report from every device's share.
fn merge_shares(
    shares: Vec<Share>,
    ci_shards: usize,
    ci_shard: usize,
    logs: &[PathBuf],
    started: Instant,
) -> Report {
    let mut identities = Vec::new();
    let mut results = Vec::new();
    let mut fuzzes = Vec::new();
    let mut choices = Vec::new();
    let first_judges = shares[0].judges;
    let mock = shares[0].mock.clone();
    for (d, s) in shares.into_iter().enumerate() {
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
    Report::build(
        identities,
        mock,
        started.elapsed().as_millis() as u64,
        results,
        fuzzes,
        first_judges,
        choices.join("; "),
    )
}

/// Writes the report files asked for; the exit status: 0 conformant, 1 not, 2 a file could not
/// be written.
pub fn write_reports(
    report: &Report,
    json: &Option<PathBuf>,
    junit: &Option<PathBuf>,
    html: &Option<PathBuf>,
) -> ExitCode {
    let mut failed_write = false;
    let mut write = |path: &Option<PathBuf>, text: String| {
        if let Some(p) = path
            && let Err(e) = std::fs::write(p, text)
        {
            eprintln!("atspec: cannot write {}: {e}", p.display());
            failed_write = true;
        }
    };
    write(
        json,
        serde_json::to_string_pretty(report).unwrap_or_default(),
    );
    write(junit, report::junit::render(report));
    write(html, report::html::render(report));
    if failed_write {
        ExitCode::from(2)
    } else if report.conformant {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
