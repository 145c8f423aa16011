//! Helpers shared by the engine's test files.
#![allow(dead_code, unused_imports)]

pub use atspec_firmware::testkit::{drain, show};
use atspec_firmware::{Config, Engine, Pki};

/// An engine with one certificate, key and CA, echo off and SYSLOG on.
pub fn quiet_engine() -> Engine {
    let mut e = Engine::new(Config {
        pki: Pki {
            certs: 1,
            keys: 1,
            cas: 1,
        },
    });
    let _ = e.handle_uart(b"ATE0\r\nAT+SYSLOG=1\r\n");
    drain(&mut e);
    e
}

/// Marks the clauses the enclosing test proves: its assertions pin their behaviour.
/// `coverage.rs` reads these marks (and the `run(Clause, …)` rows of `clauses.rs`) and checks
/// that the test asserts something; nothing else — a comment, a tag list — counts.
#[allow(unused_macros)]
macro_rules! proves {
    ($($c:ident),+ $(,)?) => {
        $( let _ = atspec_firmware::device::Clause::$c; )+
    };
}
