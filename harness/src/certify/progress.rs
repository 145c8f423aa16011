//! What a certification tells its caller while it runs. The library never prints: the CLI
//! draws its progress bars from these events, a test or a farm may log them or ignore them.

use crate::runner::Verdict;

/// One thing that happened in a run. Devices run on threads of their own, so events of
/// different devices interleave.
#[derive(Debug)]
pub enum Progress<'a> {
    /// The run's work is known: this many checks and fuzzed cases in all.
    Planned {
        /// Checks across every device.
        checks: usize,
        /// Fuzzed sequences across every device.
        cases: u32,
    },
    /// A device came up and its certification starts.
    Certifying {
        /// The link, as the report names it.
        link: &'a str,
        /// The spec it is certified against.
        spec: &'a str,
    },
    /// A check starts.
    Check {
        /// The check's name.
        name: &'static str,
    },
    /// A check is judged.
    Checked {
        /// The check's name.
        name: &'static str,
        /// Its verdict.
        verdict: &'a Verdict,
        /// Which device ran it (0-based), when the run has several.
        device: Option<usize>,
    },
    /// One fuzzed sequence ran.
    Case,
    /// A fuzzing failure is being shrunk: this device's runs so far, shrinking included.
    Shrinking {
        /// Runs so far.
        runs: u64,
    },
    /// Something went wrong that does not stop the run (a failure transcript that could not
    /// be saved): the report is still complete.
    Warning(String),
}

/// Where a run sends its [`Progress`]; called from every device's thread.
pub type OnProgress<'a> = &'a (dyn Fn(Progress<'_>) + Sync);
