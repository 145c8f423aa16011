//! Running a case: from the known state, every step against the device and the mock peer,
//! each answer and each recorded request compared with the oracle.
//!
//! `env` is what a case runs against and who judges it, `case` runs one case step by step,
//! `judging` is one profile's judgement of an answer, `settle` leaves the device ready for
//! the next case, and `canonical` writes a transcript as the line a seed must reproduce.

mod canonical;
mod case;
mod env;
mod judging;
mod settle;

pub use crate::world::transcript::{Judged, StepRecord, Transcript, Verdict};
pub use canonical::canonical_line;
pub use case::run_judged;
pub use env::{Env, Judges, contract_id, judge_name, lacked_command, mock_urls, spec_id};

/// Runs `steps` from the known state and judges every answer by the run's profiles.
pub fn run(
    env: &mut Env,
    case: &str,
    clauses: &[&str],
    steps: &[crate::world::step::Step],
) -> Transcript {
    let judges = env.judges;
    run_judged(env, judges, case, clauses, steps)
}
