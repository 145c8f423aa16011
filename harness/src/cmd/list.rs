//! `atspec list WHAT`: what a certification can select or be told, one per line, so that
//! `--check`, `--clause`, `--profile`, `--variant` and `--mutant` values need no source
//! reading. Tab-separated: the name, then one line about it.

use std::process::ExitCode;

use atspec::report::Class;
use atspec::syntax::{device, host};

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListWhat {
    /// Every check, with the clauses it proves.
    Checks,
    /// Every clause of the spec, with its statement.
    Clauses,
    /// The spec's profiles (`--profile`), with their titles.
    Profiles,
    /// The virtual board's legitimate variants (`--variant`): each must pass.
    Variants,
    /// The virtual board's mutants (`--mutant`): each must fail.
    Mutants,
    /// The conformance classes a certificate names.
    Classes,
}

/// Arguments of `atspec list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// What to list.
    #[arg(value_enum)]
    what: ListWhat,
}

/// The lines `what` lists.
pub fn lines(what: ListWhat) -> Vec<String> {
    match what {
        ListWhat::Checks => atspec::checks::all()
            .iter()
            .map(|c| {
                let ids: Vec<&str> = c.clauses.iter().map(|x| x.id()).collect();
                format!("{}\t{}", c.name, ids.join(" "))
            })
            .collect(),
        ListWhat::Clauses => host::CLAUSES
            .iter()
            .map(|c| format!("{}\t{}", c.id, c.statement))
            .collect(),
        ListWhat::Profiles => device::PROFILES
            .iter()
            .map(|p| format!("{}\t{}", p.id, p.title))
            .collect(),
        ListWhat::Variants => atspec_board::variant_names()
            .into_iter()
            .map(String::from)
            .collect(),
        ListWhat::Mutants => atspec_board::mutant_names()
            .into_iter()
            .map(String::from)
            .collect(),
        ListWhat::Classes => [Class::Http, Class::Https]
            .iter()
            .map(|c| format!("{}\t{}", c.id(), c.description()))
            .collect(),
    }
}

/// Runs `atspec list`.
pub fn run(a: ListArgs) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for l in lines(a.what) {
        // A reader that stops early (`| head`) is no error.
        if writeln!(out, "{l}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_names_what_the_cli_accepts() {
        let names = |w| -> Vec<String> {
            lines(w)
                .iter()
                .map(|l| l.split('\t').next().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(ListWhat::Clauses).len(), host::CLAUSES.len());
        assert!(names(ListWhat::Checks).contains(&"robust.overlong_lines".to_string()));
        assert!(names(ListWhat::Profiles).contains(&"esp-at-4.1".to_string()));
        assert_eq!(names(ListWhat::Classes), ["http", "https"]);
        assert!(names(ListWhat::Variants).contains(&"chunk-discard".to_string()));
        assert!(names(ListWhat::Mutants).contains(&"no-syslog".to_string()));
        assert!(lines(ListWhat::Checks).iter().all(|l| l.contains('\t')));
    }
}
