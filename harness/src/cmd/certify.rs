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

/// Runs `atspec certify`.
pub fn run(a: CertifyArgs) -> ExitCode {
    let started = Instant::now();
    if a.parallel_count == 0 || a.parallel_index == 0 || a.parallel_index > a.parallel_count {
        eprintln!(
            "atspec certify: --parallel-index must be 1..=--parallel-count (got {} of {})",
            a.parallel_index, a.parallel_count
        );
        return ExitCode::from(2);
    }
    let (shards, shard) = (a.parallel_count as usize, a.parallel_index as usize - 1);
    for id in &a.clauses {
        if crate::syntax::host::Clause::from_id(id).is_none() {
            eprintln!("atspec certify: unknown clause `{id}` (see docs/reference.md for ids)");
            return ExitCode::from(2);
        }
    }
    let mut s = match session::start(&a.session) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("atspec certify: setup failed: {e}");
            return ExitCode::from(2);
        }
    };
    if !a.quiet {
        eprintln!(
            "certifying {} against {}",
            s.identity.link,
            runner::spec_id()
        );
    }
    let all = checks::all();
    let selected: Vec<_> = all
        .into_iter()
        .filter(|c| {
            a.clauses.is_empty() || c.clauses.iter().any(|id| a.clauses.iter().any(|x| x == id))
        })
        .enumerate()
        .filter(|(i, _)| i % shards == shard)
        .map(|(_, c)| c)
        .collect();
    // This shard's fuzzed cases (the first `cases % shards` shards take one more) and seed.
    let cases = a.cases / a.parallel_count + u32::from((shard as u32) < a.cases % a.parallel_count);
    let seed = a.seed.wrapping_add(shard as u64);
    let pb = bar(selected.len() as u64, a.quiet, "checks");
    let mut results = Vec::new();
    for c in &selected {
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
            Needs::WellKnownPorts => (!s.env.mock.has_well_known_ports())
                .then(|| "needs the mock peer on ports 80 and 443 (host/path mode)".to_string()),
        };
        let (verdict, second, transcript) = match skip {
            Some(why) => (Verdict::Skipped(why), None, None),
            None => {
                let steps = (c.steps)(&Ctx::new(&s.env.mock, s.closed_port, s.env.profile));
                let mut t = runner::run(&mut s.env, c.name, c.clauses, &steps);
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
            pb.println(format!("{} {}", verdict.name(), c.name));
        }
        results.push(CheckResult {
            name: c.name.into(),
            clauses: c.clauses.iter().map(|x| x.to_string()).collect(),
            verdict,
            ms: t0.elapsed().as_millis() as u64,
            transcript,
            second,
        });
        pb.inc(1);
    }
    pb.finish_and_clear();
    let mut fuzz_result = FuzzResult {
        seed,
        ..FuzzResult::default()
    };
    if a.clauses.is_empty() && cases > 0 {
        let pb = bar(u64::from(cases), a.quiet, "fuzzing");
        let mut urls = runner::mock_urls(&s.env.mock);
        // The refused-connection endpoint differs per run too.
        urls.insert(
            "closed".into(),
            format!("http://{}:{}", s.env.mock.host, s.closed_port),
        );
        let mut log = match &a.fuzz_log {
            Some(p) => match std::fs::File::create(p) {
                Ok(f) => Some(std::io::BufWriter::new(f)),
                Err(e) => {
                    eprintln!("atspec certify: cannot write {}: {e}", p.display());
                    return ExitCode::from(2);
                }
            },
            None => None,
        };
        let out = fuzz::run(
            &mut s.env,
            s.closed_port,
            fuzz::Limits {
                cases,
                seed,
                max_shrink: Duration::from_secs(a.max_shrink_time),
                max_len: a.max_len.max(1),
            },
            &|n| {
                if n <= u64::from(cases) {
                    pb.set_position(n);
                } else {
                    pb.set_message(format!("shrinking ({n} runs)"));
                }
            },
            &mut |t| {
                if let Some(w) = log.as_mut() {
                    let _ = writeln!(w, "{}", crate::runner::canonical_line(t, &urls));
                }
            },
        );
        pb.finish_and_clear();
        fuzz_result.cases = cases;
        fuzz_result.second_differences = out.second_differences;
        fuzz_result.second_example = out.second_example;
        fuzz_result.sequences = out.sequences;
        fuzz_result.steps = out.steps;
        if let Some(t) = out.failure {
            match save(&a.failures, &t) {
                Ok(p) => fuzz_result.saved = Some(p.display().to_string()),
                Err(e) => eprintln!("atspec certify: could not save the failure transcript: {e}"),
            }
            if let Some(o) = &out.original {
                match save(&a.failures, o) {
                    Ok(p) => fuzz_result.original = Some(p.display().to_string()),
                    Err(e) => {
                        eprintln!("atspec certify: could not save the original sequence: {e}")
                    }
                }
            }
            fuzz_result.failure = Some(t);
        }
    }
    let mut identity = s.identity.clone();
    if shards > 1 {
        identity.shard = Some(format!("{} of {}", shard + 1, shards));
    }
    let report = Report::new(
        identity,
        runner::mock_urls(&s.env.mock),
        seed,
        started.elapsed().as_millis() as u64,
        results,
        fuzz_result,
        s.env.judges,
        s.profile_choice.clone(),
    );
    drop(s);
    let style = Style {
        color: std::io::stdout().is_terminal(),
    };
    print!("{}", report::terminal::render(style, &report));
    let mut failed_write = false;
    let mut write = |path: &Option<PathBuf>, text: String| {
        if let Some(p) = path
            && let Err(e) = std::fs::write(p, text)
        {
            eprintln!("atspec certify: cannot write {}: {e}", p.display());
            failed_write = true;
        }
    };
    write(
        &a.json,
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    );
    write(&a.junit, report::junit::render(&report));
    write(&a.html, report::html::render(&report));
    if failed_write {
        ExitCode::from(2)
    } else if report.conformant {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Saves a transcript as `DIR/fuzz-<seed>-<hash>.json`.
pub fn save(dir: &std::path::Path, t: &runner::Transcript) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let text = serde_json::to_string_pretty(t).map_err(std::io::Error::other)?;
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    let path = dir.join(format!(
        "fuzz-{}-{:08x}.json",
        t.seed.unwrap_or(0),
        h as u32
    ));
    std::fs::write(&path, text)?;
    Ok(path)
}
