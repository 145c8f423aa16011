//! Joining every device's share into one report: identities, results in check order, the
//! fuzz results, and the scope the report states.

use std::path::PathBuf;
use std::time::Instant;

use super::plan::Plan;
use super::share::Share;
use crate::checks;
use crate::report::Report;

/// One report from every device's share.
pub(super) fn merge_shares(
    shares: Vec<Share>,
    plan: &Plan,
    logs: &[PathBuf],
    started: Instant,
) -> Report {
    let (ci_shards, ci_shard) = (plan.shard.count as usize, plan.shard.index as usize - 1);
    let class = shares[0].class;
    let review = shares[0].review.clone();
    let mut identities = Vec::new();
    let mut results = Vec::new();
    let mut fuzzes = Vec::new();
    let mut choices = Vec::new();
    let first_judges = shares[0].judges;
    let mock = shares[0].mock.clone();
    let mut traffic = crate::mock::gate::Traffic::default();
    for (d, s) in shares.into_iter().enumerate() {
        traffic.absorb(&s.traffic);
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
    let mut report = Report::build(
        identities,
        mock,
        started.elapsed().as_millis() as u64,
        results,
        fuzzes,
        first_judges,
        crate::report::Basis {
            profile_choice: choices.join("; "),
            scope: crate::report::Scope {
                shard_count: plan.shard.count,
                shards: vec![plan.shard.index],
                clauses: plan.clauses.clone(),
                checks: plan.checks.clone(),
                skip_timing: plan.skip_timing,
                cases: plan.cases,
                seed: plan.seed,
            },
            class,
            waivers: plan.waivers.clone(),
            review,
            interrupted: crate::interrupt::requested().map(str::to_string),
        },
    );
    report.traffic = traffic;
    report
}
