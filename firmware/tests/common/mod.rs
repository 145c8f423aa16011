//! Helpers shared by the engine's test files.
#![allow(dead_code)]

use atspec_firmware::{Config, Engine, Pki};

/// Bytes with control characters escaped, for readable assertion failures.
pub fn show(b: &[u8]) -> String {
    b.iter()
        .flat_map(|&c| std::ascii::escape_default(c))
        .map(char::from)
        .collect()
}

/// Everything the engine has for the UART right now.
pub fn drain<const T: usize, const R: usize>(e: &mut Engine<T, R>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = e.poll_transmit(&mut buf);
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

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
