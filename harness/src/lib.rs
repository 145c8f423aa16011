//! # atspec
//!
//! The conformance harness as a library: drive a device that speaks the ESP-AT HTTP command
//! set against a mock HTTP(S) peer, judge every answer and request with an oracle built from
//! the spec, fuzz command sequences with shrinking, and build a certification [`Report`].
//!
//! [`certify()`] runs a whole certification as one call; the `atspec` binary only parses its
//! arguments and prints what this returns. Tests can call it in-process:
//!
//! ```no_run
//! let mut session = atspec::session::SessionArgs::default();
//! session.board_program = Some("target/debug/atspec".into());
//! let plan = atspec::Plan { cases: 0, ..atspec::Plan::default() };
//! let report = atspec::certify(&session, &plan).expect("the device came up");
//! // CONFORMANT only on complete evidence; see `Report::verdict` for INCOMPLETE and why.
//! assert_eq!(report.verdict, atspec::report::Outcome::Conformant);
//! ```

/// Names the clauses a piece of the oracle implements, the one marker idiom of the project
/// (the engine has its own, spelled the same): a clause removed from the spec makes this fail
/// to compile where its rule was modelled.
macro_rules! implements {
    ($($c:ident),+ $(,)?) => { let _ = [$($crate::syntax::device::Clause::$c),+]; };
}

pub mod bytes;
pub mod certify;
pub mod checks;
pub mod device;
pub mod files;
pub mod fuzz;
pub mod interrupt;
pub mod link;
pub mod mock;
pub mod oracle;
pub mod profile;
pub mod recovery;
pub mod replay;
pub mod report;
pub mod runner;
pub mod secrets;
pub mod session;
pub mod syntax;
pub mod waits;
pub mod world;

pub use certify::{Plan, certify};
pub use report::Report;
