//! The vocabulary the oracle, the mock peer, the runner and the reports all speak: the
//! endpoints of the mock peer, the answers it plays, and the requests it records or must
//! record. It depends on none of them, so they need not depend on each other.

pub mod endpoint;
pub mod request;
pub mod scenario;

pub use endpoint::{Server, TlsFront, World};
pub use request::HttpRequest;
