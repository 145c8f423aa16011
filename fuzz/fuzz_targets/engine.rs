//! Arbitrary network events and UART output credit around a host that sends commands one at a
//! time, as in `firmware/tests/framing.rs`, but coverage-guided:
//! `cargo fuzz run engine` (from `fuzz/`, with a nightly toolchain).
//!
//! The first byte sets the length of the command script (indexes into the test kit's
//! commands); every later byte is an opcode, some followed by an argument byte. The engine
//! must never panic, never drop output, and print exactly one final result per command with
//! nothing of the command after it (`RESULT.FINAL.LAST`).
#![no_main]

use atspec_firmware::testkit::{COMMANDS, Driver, Event, RESPONSES};
use atspec_firmware::{Config, Engine, Pki};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&n, rest)) = input.split_first() else {
        return;
    };
    let n = usize::from(n % 12).min(rest.len());
    let (script, mut ops) = rest.split_at(n);
    let script = script
        .iter()
        .map(|&i| COMMANDS[usize::from(i) % COMMANDS.len()])
        .collect();
    let mut events = Vec::new();
    while let [op, tail @ ..] = ops {
        let (arg, tail) = tail.split_first().map_or((0, tail), |(a, t)| (*a, t));
        ops = tail;
        let a = usize::from(arg);
        events.push(match op % 11 {
            0 => Event::Host(a.max(1)),
            1 => Event::PollAction,
            2 => Event::Connected,
            3 => Event::Peer(RESPONSES[a % RESPONSES.len()].to_vec()),
            4 => Event::PeerBody(a * 24),
            5 => Event::PeerClose,
            6 => Event::NetError,
            7 => Event::PollNet(a * 3),
            8 => Event::Time(a as u64 * 40),
            // Output credit from one byte to a few kilobytes.
            9 => Event::Drain(if a < 128 { 1 + a % 16 } else { a * 24 }),
            _ => Event::Drain(1),
        });
    }
    let engine = Engine::new(Config {
        pki: Pki {
            certs: 1,
            keys: 1,
            cas: 1,
        },
    });
    let mut d = Driver::new(engine, script);
    if let Err(v) = d.run(&events) {
        panic!("{v}");
    }
});
