//! `atspec certify`: parses the arguments into a [`Plan`], runs [`atspec::certify()`], prints the
//! report and writes the files asked for.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use atspec::certify::{Error, Plan, Shard};
use atspec::report::{self, Report, terminal::Style};
use atspec::session::SessionArgs;

use super::farm::{self, FarmMode};

/// Arguments of `atspec certify`.
#[derive(Debug, Clone, clap::Args)]
pub struct CertifyArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// Fuzzing seed (the same seed gives the same sequences).
    #[arg(help_heading = "Fuzzing", long, default_value_t = 0x5eed)]
    seed: u64,
    /// Fuzzed command sequences to run (0: no fuzzing).
    #[arg(help_heading = "Fuzzing", long, default_value_t = 500)]
    cases: u32,
    /// Longest time to spend shrinking a fuzzing failure.
    #[arg(
        help_heading = "Fuzzing",
        long,
        default_value = "60",
        value_name = "SECONDS"
    )]
    max_shrink_time: u64,
    /// Most transitions in one fuzzed sequence.
    #[arg(help_heading = "Fuzzing", long, default_value_t = 8)]
    max_len: usize,
    /// Run only the checks of the clauses this glob matches (`HTTPCFG.*`; repeatable); a
    /// partial run, no fuzzing. `atspec list clauses` lists the ids.
    #[arg(help_heading = "Evidence", long = "clause", value_name = "GLOB")]
    clauses: Vec<String>,
    /// Run only the checks whose names this glob matches (`httpcfg.*`; repeatable); a
    /// partial run, no fuzzing. `atspec list checks` lists them.
    #[arg(help_heading = "Evidence", long = "check", value_name = "GLOB")]
    checks: Vec<String>,
    /// Skip the checks that wait on purpose (a data phase's silence past the default timeout,
    /// late and stalled servers): quicker, but their clauses stay unproved, so the verdict is
    /// INCOMPLETE at best.
    #[arg(help_heading = "Evidence", long)]
    skip_timing: bool,
    /// Write a JUnit XML report.
    #[arg(help_heading = "Reports", long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report.
    #[arg(help_heading = "Reports", long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(help_heading = "Reports", long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write every fuzzed sequence as one JSON line (steps, expected and actual bytes, mock
    /// ports replaced by endpoint names, body pieces merged): the same seed gives the same file.
    #[arg(help_heading = "Fuzzing", long, value_name = "FILE")]
    fuzz_log: Option<PathBuf>,
    /// Directory for shrunk failure transcripts.
    #[arg(
        help_heading = "Reports",
        long,
        default_value = "atspec-failures",
        value_name = "DIR"
    )]
    failures: PathBuf,
    /// No progress bar.
    #[arg(help_heading = "Reports", long, short)]
    quiet: bool,
    /// Split the run across this many CI runners: this run does its share (the same feature
    /// as --shard I/N, spelled as pytest-embedded's --parallel-count).
    #[arg(help_heading = "Farm", long, default_value_t = 1, value_name = "N")]
    parallel_count: u32,
    /// Which share this run does, 1..=N (with --parallel-count; or --shard I/N): every Nth
    /// check from the Ith, and its part of the
    /// fuzzed cases with its own seed (`--seed` + I − 1). The shards' reports together cover
    /// the whole run.
    #[arg(help_heading = "Farm", long, default_value_t = 1, value_name = "I")]
    parallel_index: u32,
    /// This run's slice of a split certification, I/N (the same as --parallel-index I
    /// --parallel-count N); `atspec report merge` joins the slices' JSON reports.
    #[arg(help_heading = "Farm", long, value_name = "I/N", conflicts_with_all = ["parallel_count", "parallel_index"])]
    shard: Option<atspec::certify::Shard>,
    /// Clauses to exempt on purpose: a YAML list of `{clause: ID, reason: TEXT}`. A waived
    /// clause that is not proved does not keep the verdict from CONFORMANT; every report lists
    /// the waivers ("CONFORMANT … with N waivers"). A waiver never excuses a failure.
    #[arg(help_heading = "Evidence", long, value_name = "FILE")]
    waive: Option<PathBuf>,
    /// Directory for the per-device UART logs (default: next to the first report file given,
    /// as `<report>.device-N.uart.log`).
    #[arg(help_heading = "Reports", long, value_name = "DIR")]
    logs: Option<PathBuf>,
    /// How several --device units are certified: `share` (units of one model share the
    /// checks and fuzzed cases out; one verdict covers the model, none a unit) or `each`
    /// (every unit runs everything and gets its own verdict and report files,
    /// `REPORT.unit-N.EXT`; the exit status is the worst unit's).
    #[arg(
        help_heading = "Farm",
        long,
        value_enum,
        default_value = "share",
        value_name = "MODE"
    )]
    farm: FarmMode,
    /// Read options from this TOML file (default: `atspec.toml` here, when it exists): each
    /// option under its long name (`mock-bind = "0.0.0.0"`, `device = ["virtual"]`).
    /// Precedence: command line, environment (`ATSPEC_<OPTION>`, e.g. `ATSPEC_MOCK_BIND`),
    /// file, default.
    #[arg(help_heading = "Reports", long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print every option's value and where it came from (command line, environment, file,
    /// default), and run nothing.
    #[arg(help_heading = "Reports", long)]
    print_config: bool,
}

impl CertifyArgs {
    /// Whether `--print-config` was asked for.
    pub fn print_config(&self) -> bool {
        self.print_config
    }

    /// The plan these arguments describe.
    fn plan(&self) -> Result<Plan, String> {
        let shard = match self.shard {
            Some(s) => s,
            None => {
                if self.parallel_count == 0
                    || self.parallel_index == 0
                    || self.parallel_index > self.parallel_count
                {
                    return Err(format!(
                        "--parallel-index must be 1..=--parallel-count (got {} of {})",
                        self.parallel_index, self.parallel_count
                    ));
                }
                Shard {
                    index: self.parallel_index,
                    count: self.parallel_count,
                }
            }
        };
        let waivers = match &self.waive {
            Some(p) => atspec::report::evidence::load_waivers(p)?,
            None => Vec::new(),
        };
        Ok(Plan {
            waivers,
            seed: self.seed,
            cases: self.cases,
            max_shrink: Duration::from_secs(self.max_shrink_time),
            max_len: self.max_len,
            clauses: self.clauses.clone(),
            checks: self.checks.clone(),
            skip_timing: self.skip_timing,
            shard,
            failures: self.failures.clone(),
            fuzz_log: self.fuzz_log.clone(),
            uart_logs: uart_logs(self, self.session.device_list().len())?,
        })
    }
}

/// Runs `atspec certify`.
pub fn run(a: CertifyArgs) -> ExitCode {
    // A signal stops the run with its reports written (INCOMPLETE, interrupted).
    if let Err(e) = atspec::interrupt::install() {
        eprintln!("atspec certify: {e}");
        return ExitCode::from(2);
    }
    let devices = a.session.device_list();
    if a.farm == FarmMode::Each && devices.len() > 1 {
        return run_each(&a, &devices);
    }
    ExitCode::from(certify_one(&a))
}

/// `--farm each`: the whole certification on every unit in turn, each with its own report
/// files, failure folder and UART logs; a signal stops the farm after the unit it hit.
fn run_each(a: &CertifyArgs, devices: &[atspec::link::DeviceSpec]) -> ExitCode {
    let mut units = Vec::new();
    for (i, device) in devices.iter().enumerate() {
        let n = i + 1;
        let mut unit = a.clone();
        unit.session.devices = vec![device.clone()];
        for p in [
            &mut unit.json,
            &mut unit.junit,
            &mut unit.html,
            &mut unit.fuzz_log,
        ]
        .into_iter()
        .flatten()
        {
            *p = farm::unit_path(p, n);
        }
        unit.failures = a.failures.join(format!("unit-{n}"));
        unit.logs = a.logs.as_ref().map(|d| d.join(format!("unit-{n}")));
        let name = format!("{device:?}");
        if !a.quiet {
            println!("unit {n} of {}: {name}", devices.len());
        }
        units.push((name, certify_one(&unit)));
        if atspec::interrupt::requested().is_some() {
            break;
        }
    }
    print!("{}", farm::summary(&units));
    let statuses: Vec<u8> = units.iter().map(|u| u.1).collect();
    ExitCode::from(farm::farm_status(&statuses))
}

/// One certification, printed and written; its exit status.
fn certify_one(a: &CertifyArgs) -> u8 {
    let plan = match a.plan().and_then(|p| {
        prepare_outputs(a)?;
        Ok(p)
    }) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("atspec certify: {e}");
            return 2;
        }
    };
    let bars = super::progress::Bars::new(a.quiet);
    let report = atspec::certify::certify_with(&a.session, &plan, &|p| bars.on(p));
    bars.finish();
    let report = match report {
        Ok(r) => r,
        Err(e @ (Error::Usage(_) | Error::Setup(_))) => {
            let e = atspec::bytes::neutralize(&atspec::secrets::mask(&e.to_string()), false);
            eprintln!("atspec certify: {e}");
            // CI reads the files it was told to expect: a run that never started says why
            // in them too.
            write_error_reports(&e, &a.json, &a.junit, &a.html);
            return 2;
        }
    };
    let style = super::stdout_style();
    print!(
        "{}",
        terminal_text(style, &report::terminal::render(style, &report))
    );
    write_reports(&report, &a.json, &a.junit, &a.html)
}

/// Creates every report's folder and makes sure each file can be written before the run
/// starts: an unwritable path is a setup error at once, not after the run.
fn prepare_outputs(a: &CertifyArgs) -> Result<(), String> {
    for p in [&a.json, &a.junit, &a.html, &a.fuzz_log]
        .into_iter()
        .flatten()
    {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(())
}

/// The report files of a run that could not start: the error in the JSON, one JUnit error
/// case and an HTML page that says so, so CI shows why instead of a missing file or a stale
/// report of an earlier run.
fn write_error_reports(
    error: &str,
    json: &Option<PathBuf>,
    junit: &Option<PathBuf>,
    html: &Option<PathBuf>,
) {
    if let Some(p) = html {
        let _ = std::fs::write(p, report::html::render_error(error));
    }
    if let Some(p) = json {
        let v = serde_json::json!({
            "tool": format!("atspec {}", env!("CARGO_PKG_VERSION")),
            "verdict": "error",
            "complete": false,
            "conformant": false,
            "error": error,
        });
        let _ = std::fs::write(p, serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    if let Some(p) = junit {
        let e = report::junit::xml_text(error);
        let x = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"atspec certify\" tests=\"1\" failures=\"0\" errors=\"1\">\n  <testsuite name=\"setup\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase classname=\"setup\" name=\"setup\">\n      <error type=\"setup\" message=\"{e}\"/>\n    </testcase>\n  </testsuite>\n</testsuites>\n"
        );
        let _ = std::fs::write(p, x);
    }
}

/// What reaches the terminal: secrets masked, and device bytes unable to drive it (only the
/// harness's own colors pass).
pub fn terminal_text(style: Style, text: &str) -> String {
    atspec::bytes::neutralize(&atspec::secrets::mask(text), style.color)
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

/// Writes the report files asked for; the exit status: 0 conformant, 1 not conformant, 3
/// incomplete (nothing failed, something unproved), 2 a file could not be written.
pub fn write_reports(
    report: &Report,
    json: &Option<PathBuf>,
    junit: &Option<PathBuf>,
    html: &Option<PathBuf>,
) -> u8 {
    let mut failed_write = false;
    let mut write = |path: &Option<PathBuf>, text: String| {
        if let Some(p) = path
            && let Err(e) = std::fs::write(p, atspec::secrets::mask(&text))
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
    write(html, report::html::render_at(report, html.as_deref()));
    if failed_write {
        2
    } else {
        report.verdict.exit_code()
    }
}
