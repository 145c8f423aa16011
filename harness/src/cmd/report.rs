//! `atspec report merge`: the JSON reports of a split certification (`certify --shard I/N` on
//! several runners or devices) joined into one verdict, with JUnit and HTML.

use std::path::PathBuf;
use std::process::ExitCode;

use atspec::report::Report;

/// `atspec report …`.
#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Join shard reports (JSON from `certify --json`) into one verdict.
    Merge(MergeArgs),
    /// Summarise a JSON report: the verdicts, what failed, what is unproved (`--markdown`
    /// for a CI job summary such as GitHub's `$GITHUB_STEP_SUMMARY`).
    Summary(SummaryArgs),
}

/// Arguments of `atspec report summary`.
#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// The JSON report (from `certify --json` or `report merge --json`).
    #[arg(value_name = "REPORT.json")]
    report: PathBuf,
    /// Markdown (a verdict table and what failed) instead of the terminal summary.
    #[arg(long)]
    markdown: bool,
}

/// Arguments of `atspec report merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' JSON reports.
    #[arg(required = true, value_name = "REPORT.json")]
    reports: Vec<PathBuf>,
    /// Write the merged JSON report.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

/// The largest shard report read (transcripts of failing checks included).
const REPORT_MAX: u64 = 256 * 1024 * 1024;

/// Runs `atspec report`.
pub fn run(c: ReportCommand) -> ExitCode {
    match c {
        ReportCommand::Merge(a) => merge(a),
        ReportCommand::Summary(a) => summary(a),
    }
}

/// Prints a report's summary; the exit status is its verdict's, so a CI step can both show
/// and gate on it.
fn summary(a: SummaryArgs) -> ExitCode {
    let text = match atspec::files::read_input(&a.report, REPORT_MAX, "report") {
        Ok(t) => t,
        Err(e) => {
            eprintln!("atspec report summary: {e}");
            return ExitCode::from(2);
        }
    };
    let report: Report = match serde_json::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "atspec report summary: {}:{}:{}: not an atspec JSON report: {e}",
                a.report.display(),
                e.line(),
                e.column()
            );
            return ExitCode::from(2);
        }
    };
    if a.markdown {
        print!("{}", atspec::report::summary::markdown(&report));
    } else {
        let style = super::stdout_style();
        print!(
            "{}",
            super::certify::terminal_text(style, &atspec::report::terminal::render(style, &report))
        );
    }
    ExitCode::from(report.verdict.exit_code())
}

fn merge(a: MergeArgs) -> ExitCode {
    let mut reports = Vec::new();
    for p in &a.reports {
        // A shard's report is untrusted input: a regular file of a stated size.
        let text = match atspec::files::read_input(p, REPORT_MAX, "report") {
            Ok(t) => t,
            Err(e) => {
                eprintln!("atspec report merge: {e}");
                return ExitCode::from(2);
            }
        };
        match serde_json::from_str::<Report>(&text) {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!(
                    "atspec report merge: {}:{}:{}: not an atspec JSON report: {e}",
                    p.display(),
                    e.line(),
                    e.column()
                );
                return ExitCode::from(2);
            }
        }
    }
    let merged = match Report::merge(reports) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("atspec report merge: {e}");
            return ExitCode::from(2);
        }
    };
    let style = super::stdout_style();
    print!(
        "{}",
        super::certify::terminal_text(style, &atspec::report::terminal::render(style, &merged))
    );
    ExitCode::from(super::certify::write_reports(
        &merged, &a.json, &a.junit, &a.html,
    ))
}
