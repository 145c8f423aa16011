//! A certification run as one function, [`certify()`]: what `atspec certify` does between
//! parsing its arguments and printing the report.
//!
//! The plan (`plan`) is checked and its work split among the devices here; `share` runs one device's
//! part on its own thread, `merge` joins the parts into one report, and `progress` is what
//! the run tells its caller meanwhile (the library never prints).

mod merge;
mod plan;
mod progress;
mod select;
mod share;

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::checks::{self, Needs};
use crate::report::Report;
use crate::session::SessionArgs;
pub use plan::{Error, Plan, Shard};
pub use progress::{OnProgress, Progress};
pub use select::{Selection, glob};
use share::{FuzzLog, Wiring, Work};

/// Runs a certification: every selected check, then the fuzzed sequences, on every device
/// of `session` (each on its own thread with its own mock peer), and one report of it all.
/// Nothing is printed; nothing is written but the fuzzing failures (`plan.failures`), the
/// fuzz log and the UART logs the plan names. [`certify_with`] also reports progress.
pub fn certify(session: &SessionArgs, plan: &Plan) -> Result<Report, Error> {
    certify_with(session, plan, &|_| {})
}

/// [`certify()`], telling `on` how the run goes (from every device's thread).
pub fn certify_with(
    session: &SessionArgs,
    plan: &Plan,
    on: OnProgress<'_>,
) -> Result<Report, Error> {
    let started = Instant::now();
    validate(plan)?;
    let devices = session.device_list();
    let n = devices.len();
    let all = checks::all();
    let (works, queue) = split_work(&all, plan, n);
    let fuzz_log = match &plan.fuzz_log {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(std::sync::Mutex::new(std::io::BufWriter::new(f))),
            Err(e) => return Err(Error::Usage(format!("cannot write {}: {e}", p.display()))),
        },
        None => None,
    };
    on(Progress::Planned {
        checks: works.iter().map(|w| w.checks.len()).sum::<usize>() + queue.len(),
        cases: works.iter().map(|w| w.cases).sum(),
    });
    let queue = std::sync::Mutex::new(queue);
    let next = || queue.lock().ok().and_then(|mut q| q.pop_front());
    let shares = run_devices(&works, |w, started| {
        share::run_share(
            w,
            &Wiring {
                session,
                plan,
                device: &devices[w.device],
                uart_log: plan.uart_logs.get(w.device).map(PathBuf::as_path),
                shared: &next,
                fuzz_log: fuzz_log.as_ref(),
                started,
                on,
            },
        )
    });
    flush(fuzz_log.as_ref());
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
    Ok(merge::merge_shares(ok, plan, &plan.uart_logs, started))
}

/// A plan's shard and clause ids make sense.
fn validate(plan: &Plan) -> Result<(), Error> {
    if plan.shard.index == 0 || plan.shard.index > plan.shard.count {
        return Err(Error::Usage(format!(
            "shard {} of {}: the index must be 1..=count",
            plan.shard.index, plan.shard.count
        )));
    }
    if let Some(why) = plan.selection().unmatched(&checks::all()) {
        return Err(Error::Usage(why));
    }
    Ok(())
}

/// Every check and fuzzed case is in exactly one slice: the CI shard's share, split again
/// among this run's `n` devices. Host/path-mode checks go to the first device, whose mock
/// peer is started first and so holds ports 80 and 443; the rest wait in one queue, so a
/// device that drew long checks (large bodies at a slow line rate) does not hold up the run.
fn split_work<'a>(
    all: &'a [checks::Check],
    plan: &Plan,
    n: usize,
) -> (Vec<Work<'a>>, std::collections::VecDeque<&'a checks::Check>) {
    let (ci_shards, ci_shard) = (plan.shard.count as usize, plan.shard.index as usize - 1);
    let slices = ci_shards * n;
    let selection = plan.selection();
    let selected = all.iter().filter(|c| selection.selects(c));
    let fuzzing = selection.is_all();
    let mut per_device: Vec<Vec<&checks::Check>> = vec![Vec::new(); n];
    let mut queue = std::collections::VecDeque::new();
    for (_, c) in selected
        .enumerate()
        .filter(|(i, _)| i % ci_shards == ci_shard)
    {
        if matches!(c.needs, Needs::WellKnownPorts) {
            per_device[0].push(c);
        } else {
            queue.push_back(c);
        }
    }
    let works = per_device
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
                devices: n,
                checks,
                cases,
                seed: plan.seed.wrapping_add(slice as u64),
            }
        })
        .collect();
    (works, queue)
}

/// Runs every device's work on a thread of its own (the run takes as long as its slowest
/// device). The first device's session starts before the others: `run` calls the `started`
/// it is given once its session is up (or has failed), and the others wait for that.
fn run_devices<'a, T: Send>(
    works: &[Work<'a>],
    run: impl Fn(&Work<'a>, &dyn Fn()) -> Result<T, String> + Sync,
) -> Vec<Result<T, String>> {
    let first_started = (std::sync::Mutex::new(false), std::sync::Condvar::new());
    std::thread::scope(|scope| {
        let handles: Vec<_> = works
            .iter()
            .map(|w| {
                let (run, (started, cv)) = (&run, &first_started);
                scope.spawn(move || {
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
                    run(w, &signal)
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
    })
}

fn flush(log: Option<&FuzzLog>) {
    if let Some(log) = log
        && let Ok(mut w) = log.lock()
    {
        let _ = w.flush();
    }
}
