//! The vocabulary the oracle, the mock peer, the runner and the reports all speak: the steps
//! of a case, the endpoints of the mock peer and the answers it plays, the requests it records
//! or must record, and the transcripts and verdicts of a run (saved, loaded and rebased onto
//! new mock addresses in one place). It depends on none of them, so they need not depend on
//! each other.

pub mod endpoint;
pub mod request;
pub mod scenario;
pub mod step;
pub mod transcript;

pub use endpoint::{Server, TlsFront, World};
pub use request::HttpRequest;
