//! Arbitrary UART bytes interleaved with arbitrary network events, as in the proptest of
//! `firmware/tests/robustness.rs`, but coverage-guided:
//! `cargo fuzz run engine` (from `fuzz/`, with a nightly toolchain).
//!
//! Each input is a script: one opcode byte, then for data events a length byte and that many
//! bytes. The engine must never panic and never drop output.
#![no_main]

use atspec_firmware::{Config, Engine, Pki};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|script: &[u8]| {
    let mut e = Engine::new(Config { pki: Pki { certs: 1, keys: 1, cas: 1 } });
    let mut sink = [0u8; 4096];
    let mut now = 0u64;
    let mut rest = script;
    while let [op, tail @ ..] = rest {
        rest = tail;
        let data = |rest: &mut &[u8]| -> Vec<u8> {
            let (&n, tail) = rest.split_first().unwrap_or((&0, &[]));
            let n = (n as usize).min(tail.len());
            let (d, tail) = tail.split_at(n);
            *rest = tail;
            d.to_vec()
        };
        match op % 9 {
            0 => {
                let d = data(&mut rest);
                e.handle_uart(&d);
            }
            1 => {
                let d = data(&mut rest);
                e.handle_received(&d);
            }
            2 => e.handle_connected(),
            3 => e.handle_closed(),
            4 => e.handle_net_error(),
            5 => {
                now += u64::from(op / 9) * 100;
                e.handle_time(now);
            }
            6 => {
                let _ = e.poll_action();
            }
            7 => {
                e.poll_net_transmit(&mut sink[..(*op as usize) * 4]);
            }
            _ => {
                e.poll_transmit(&mut sink);
            }
        }
        assert_eq!(e.dropped_output(), 0);
    }
});
