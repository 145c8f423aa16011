//! Replaying a saved transcript: its steps again, rebased onto this run's mock addresses,
//! judged by the profile that judged it, and (for a golden fixture) the oracle's predictions
//! held to the recorded ones.

use crate::bytes::Bytes;
use crate::runner;
use crate::session::Session;
use crate::world::step::Step;
use crate::world::transcript::{Rebase, StepRecord, Transcript};

/// One transcript run again.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The new run (with this run's addresses).
    pub run: Transcript,
    /// Golden records the oracle no longer predicts (empty for a fixture without them).
    pub golden: Vec<String>,
    /// The transcript with the oracle's expectations as its golden records (what `--bless`
    /// writes), in the recorded addresses.
    pub blessed: Transcript,
}

/// Runs `t` again on the session's device. `profile` is the session's `--profile`: a
/// transcript is replayed under the profile that judged it unless that says otherwise, and only
/// under that one.
pub fn replay(s: &mut Session, t: &Transcript, profile: &str) -> Result<Replayed, String> {
    let now = runner::mock_urls(&s.env.mock);
    let rebase = Rebase::new(t, &now)?;
    let steps: Vec<Step> = t.steps.iter().map(|st| rebase.step_to_now(st)).collect();
    let clauses: Vec<&str> = t.clauses.iter().map(String::as_str).collect();
    let primary = match (profile, t.profile.as_str()) {
        ("contract", recorded) if !recorded.is_empty() => crate::oracle::judge(recorded)
            .ok_or_else(|| format!("profile `{recorded}` is not in this spec"))?,
        _ => s.env.judges.primary,
    };
    let judges = runner::Judges {
        primary,
        second: None,
    };
    // The recorded prefix, so that the steps stay byte for byte what was recorded.
    let own = s.env.mock.prefix();
    s.env.mock.set_prefix(&t.path_prefix);
    let run = runner::run_judged(&mut s.env, judges, &t.case, &clauses, &steps);
    s.env.mock.set_prefix(&own);
    let golden = golden_mismatches(t, &run, &rebase);
    let mut blessed = t.clone();
    blessed.records = run
        .records
        .iter()
        .map(|rec| StepRecord {
            step: rebase.step_to_recorded(&rec.step),
            expected: rebase.bytes_to_recorded(&rec.expected),
            actual: Bytes::default(),
            expected_requests: Vec::new(),
            seen_requests: Vec::new(),
            mismatch: None,
            diff: None,
            reading: rec.reading.clone(),
            loose: rec.loose,
            ms: 0,
        })
        .collect();
    Ok(Replayed {
        run,
        golden,
        blessed,
    })
}

/// Golden records differing from what the oracle predicts now.
fn golden_mismatches(golden: &Transcript, now: &Transcript, rebase: &Rebase) -> Vec<String> {
    let sends = |t: &Transcript| -> Vec<StepRecord> {
        t.records
            .iter()
            .filter(|r| matches!(r.step, Step::Send { .. }))
            .cloned()
            .collect()
    };
    let mut out = Vec::new();
    for (i, (g, n)) in sends(golden).iter().zip(sends(now)).enumerate() {
        if g.expected.0.is_empty() {
            continue;
        }
        let predicted = rebase.bytes_to_recorded(&n.expected);
        if predicted != g.expected {
            out.push(format!(
                "step {i}: the oracle now predicts `{}`, the golden transcript says `{}`",
                predicted.escaped(),
                g.expected.escaped()
            ));
        }
    }
    out
}
