//! Stopping a run on SIGINT, SIGTERM (a CI timeout) or SIGHUP without losing it: the first
//! signal asks the run to stop; the check in progress is abandoned (its device wait returns at
//! once), the remaining checks and fuzzed sequences are not started, and the report of what
//! ran is written with the verdict INCOMPLETE (interrupted). Destructors then run as usual, so
//! the board child is killed and temporary PKI folders are removed. A second signal exits at
//! once (status 130), for a run that will not stop.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The signals that stop a run, by name.
const SIGNALS: [(i32, &str); 3] = [
    (signal_hook::consts::SIGINT, "SIGINT"),
    (signal_hook::consts::SIGTERM, "SIGTERM"),
    (signal_hook::consts::SIGHUP, "SIGHUP"),
];

fn flags() -> &'static [Arc<AtomicBool>; 3] {
    static F: OnceLock<[Arc<AtomicBool>; 3]> = OnceLock::new();
    F.get_or_init(|| std::array::from_fn(|_| Arc::new(AtomicBool::new(false))))
}

/// Installs the handlers (the CLI does, once; a library caller may instead call [`request`]).
pub fn install() -> Result<(), String> {
    for ((sig, name), flag) in SIGNALS.iter().zip(flags().iter()) {
        // Order matters: the exit is armed first, so it fires only once the flag is set.
        signal_hook::flag::register_conditional_shutdown(*sig, 130, flag.clone())
            .and_then(|_| signal_hook::flag::register(*sig, flag.clone()))
            .map_err(|e| format!("cannot handle {name}: {e}"))?;
    }
    Ok(())
}

/// The signal that asked the run to stop, if one did.
pub fn requested() -> Option<&'static str> {
    SIGNALS
        .iter()
        .zip(flags().iter())
        .find(|(_, f)| f.load(Ordering::SeqCst))
        .map(|((_, name), _)| *name)
}

/// Asks the run to stop as if `SIGTERM` had arrived (for library callers and tests).
pub fn request() {
    flags()[1].store(true, Ordering::SeqCst);
}
