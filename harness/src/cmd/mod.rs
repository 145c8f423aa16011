//! One module per subcommand family.

pub mod board;
pub mod certify;
pub mod pki;
pub mod progress;
pub mod relay;
pub mod replay;
pub mod report;
pub mod spec;
