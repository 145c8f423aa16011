//! # atspec-spec
//!
//! The model of an atspec specification — one YAML file that describes every command, form,
//! parameter, response, error code and normative clause of an AT command set — with the tools
//! built directly on it:
//!
//! - [`load`] / [`load_str`]: parse with resource limits, reject unknown keys, then validate
//!   semantically; every problem comes back at once as a [`Diagnostics`] list of
//!   `file:line:col: error: …` lines.
//! - [`doc`] (feature `cli`): render the complete human reference (Markdown or HTML).
//! - [`diff`] (feature `cli`): classify every change between two spec versions as breaking or compatible for
//!   firmware and for hosts.
//!
//! The crate is std-only and deliberately small: the code generator compiles it into a
//! proc-macro, and the harness uses it at run time for reports.

mod diag;
#[cfg(feature = "cli")]
pub mod diff;
#[cfg(feature = "cli")]
pub mod doc;
mod load;
pub mod model;
pub mod template;
mod validate;

pub use diag::{Diagnostic, Diagnostics, Sink};
pub use load::{load, load_str, yaml_diagnostic};
pub use model::Spec;
