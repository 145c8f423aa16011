//! The harness as a library: a certification run in-process through `atspec::certify`, with
//! the virtual board (the `atspec` binary) behind a real pseudo-terminal and a real mock peer.
//! Both sides of the verdict: the board and a legitimate variant pass, a mutant fails on the
//! clause it breaks, and a bad plan is an error rather than a verdict.

use atspec::certify::{Error, Plan};
use atspec::report::Outcome;
use atspec::runner::Verdict;
use atspec::session::SessionArgs;

/// The redirect clause: the one check family the `follows-redirects` variant and the
/// `redirect-as-get` mutant differ on.
const CLAUSE: &str = "HTTP.REDIRECT.NOT_FOLLOWED";

fn session(args: &[&str]) -> SessionArgs {
    let mut s = SessionArgs::from_args(args).expect("valid session options");
    s.board_program = Some(env!("CARGO_BIN_EXE_atspec").into());
    s
}

fn plan() -> Plan {
    Plan {
        cases: 0,
        clauses: vec![CLAUSE.into()],
        ..Plan::default()
    }
}

#[test]
fn the_board_and_a_legitimate_variant_pass_in_process() {
    for args in [&[][..], &["--variant", "follows-redirects"][..]] {
        let report = atspec::certify(&session(args), &plan()).expect("the board came up");
        // One clause's checks pass, and a partial run is never a certificate.
        assert_eq!(
            report.verdict,
            Outcome::Incomplete,
            "{args:?}: {:#?}",
            report.checks
        );
        assert!(!report.conformant);
        assert_eq!(report.scope.clauses, vec![CLAUSE.to_string()]);
        let redirect: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.clauses.iter().any(|id| id == CLAUSE))
            .collect();
        assert!(!redirect.is_empty(), "{args:?}: no check proves {CLAUSE}");
        assert!(redirect.iter().all(|c| c.verdict == Verdict::Pass));
    }
}

#[test]
fn a_mutant_fails_on_the_clause_it_breaks_in_process() {
    let report = atspec::certify(&session(&["--mutant", "redirect-as-get"]), &plan())
        .expect("the board came up");
    assert_eq!(report.verdict, Outcome::NotConformant);
    assert!(!report.conformant);
    let failing: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail(_)))
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        failing.iter().any(|n| n.starts_with("http.redirect")),
        "failing checks: {failing:?}"
    );
    let clause = report
        .clauses
        .iter()
        .find(|c| c.id == CLAUSE)
        .expect("the clause is in the report");
    assert_eq!(clause.verdict, "fail", "{clause:?}");
}

#[test]
fn a_bad_plan_is_an_error_not_a_verdict() {
    let unknown = Plan {
        clauses: vec!["NO.SUCH.CLAUSE".into()],
        ..plan()
    };
    match atspec::certify(&session(&[]), &unknown) {
        Err(Error::Usage(e)) => assert!(e.contains("NO.SUCH.CLAUSE"), "{e}"),
        other => panic!(
            "expected a usage error, got {:?}",
            other.map(|r| r.conformant)
        ),
    }
    let bad_option = SessionArgs::from_args(["--no-such-option"]);
    assert!(bad_option.is_err());
}

/// The whole plan on the board, in-process: CONFORMANT on complete evidence, and the same run
/// with one clause waived (it was proved anyway) says so.
#[test]
fn a_whole_run_is_a_certificate_in_process() {
    let bind = format!("127.{}.250.1:0", std::process::id() % 200 + 20);
    let plan = Plan {
        cases: 5,
        waivers: vec![atspec::report::Waiver {
            clause: CLAUSE.into(),
            reason: "lab ticket 42".into(),
        }],
        ..Plan::default()
    };
    let report =
        atspec::certify(&session(&["--mock-bind", &bind]), &plan).expect("the board came up");
    assert_eq!(
        report.verdict,
        Outcome::Conformant,
        "{:?} {:?}",
        report.unproved,
        report.gaps
    );
    assert!(report.conformant && report.complete);
    assert!(
        report
            .verdict_line()
            .starts_with("CONFORMANT to the contract with 1 waiver"),
        "{}",
        report.verdict_line()
    );
}

/// The library prints nothing: what a run tells its caller comes through the callback, and it
/// adds up to the report (every planned check started and judged once, with the report's
/// verdict; the one device announced).
#[test]
fn progress_comes_through_the_callback_and_adds_up_to_the_report() {
    use atspec::certify::Progress;
    use std::sync::Mutex;
    #[derive(Default)]
    struct Seen {
        planned: Option<(usize, u32)>,
        certifying: Vec<String>,
        started: Vec<&'static str>,
        judged: Vec<(&'static str, Verdict, Option<usize>)>,
        cases: u32,
    }
    let seen = Mutex::new(Seen::default());
    let report =
        atspec::certify::certify_with(&session(&["--mutant", "redirect-as-get"]), &plan(), &|p| {
            let mut s = seen.lock().unwrap();
            match p {
                Progress::Planned { checks, cases } => s.planned = Some((checks, cases)),
                Progress::Certifying { link, spec } => {
                    assert!(spec.contains("esp-at"), "{spec}");
                    s.certifying.push(link.to_string())
                }
                Progress::Check { name } => s.started.push(name),
                Progress::Checked {
                    name,
                    verdict,
                    device,
                } => s.judged.push((name, verdict.clone(), device)),
                Progress::Case => s.cases += 1,
                Progress::Shrinking { .. } | Progress::Warning(_) => {}
            }
        })
        .expect("the board came up");
    let s = seen.into_inner().unwrap();
    assert_eq!(s.planned, Some((report.checks.len(), 0)));
    assert_eq!(s.certifying.len(), 1, "{:?}", s.certifying);
    assert_eq!(s.cases, 0, "a --clause run does not fuzz");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    let mut started = s.started.clone();
    started.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(started, sorted);
    for (name, verdict, device) in &s.judged {
        let c = report.checks.iter().find(|c| c.name == *name).unwrap();
        assert_eq!(&c.verdict, verdict, "{name}");
        assert_eq!(*device, None, "one device: no device tag");
    }
    assert_eq!(s.judged.len(), names.len());
    assert!(
        s.judged
            .iter()
            .any(|(_, v, _)| matches!(v, Verdict::Fail(_))),
        "the mutant's failure is reported as it happens"
    );
}
