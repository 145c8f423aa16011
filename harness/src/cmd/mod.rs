//! One module per subcommand family.

pub mod board;
pub mod certify;
pub mod pki;
pub mod replay;
pub mod report;
pub mod session;
pub mod spec;
