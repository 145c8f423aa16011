//! One module per subcommand family.

pub mod board;
pub mod certify;
pub mod replay;
pub mod session;
pub mod spec;
