//! What a certification runs ([`Plan`], its [`Shard`]), and why it could not ([`Error`]).

use std::path::PathBuf;
use std::time::Duration;

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
    /// Run only the checks of the clauses these globs match, and no fuzzing (with
    /// [`Plan::checks`] empty too: every check, and fuzzing).
    pub clauses: Vec<String>,
    /// Run the checks whose names these globs match, and no fuzzing.
    pub checks: Vec<String>,
    /// This run's slice of a split certification.
    pub shard: Shard,
    /// Directory for shrunk failure transcripts.
    pub failures: PathBuf,
    /// Write every fuzzed sequence as one canonical JSON line here.
    pub fuzz_log: Option<PathBuf>,
    /// One UART log file per device (none: no logs).
    pub uart_logs: Vec<PathBuf>,
    /// Skip the checks that wait on purpose ([`crate::checks::Check`]`::timing`): a quicker run whose
    /// report is INCOMPLETE, never a certificate (for tests of everything but timing).
    pub skip_timing: bool,
    /// Clauses the certifier exempts on purpose, each with its reason (`--waive FILE`).
    pub waivers: Vec<crate::report::Waiver>,
}

impl Plan {
    /// Which checks the plan selects.
    pub fn selection(&self) -> super::select::Selection<'_> {
        super::select::Selection {
            clauses: &self.clauses,
            checks: &self.checks,
        }
    }
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
            checks: Vec::new(),
            shard: Shard { index: 1, count: 1 },
            failures: PathBuf::from("atspec-failures"),
            fuzz_log: None,
            uart_logs: Vec::new(),
            skip_timing: false,
            waivers: Vec::new(),
        }
    }
}

/// Why a certification could not run (a run that finds the device non-conformant is not an
/// error: see [`crate::report::Report::conformant`]).
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
