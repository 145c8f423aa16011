//! # atspec-firmware
//!
//! A sans-IO AT engine for the ESP-AT HTTP command set, built on the dispatcher that
//! `atspec-codegen` generates from `spec/esp-at-http.yaml`. `no_std`, no allocator: all state
//! has a fixed size ([`Engine`] is a plain struct a board can place statically).
//!
//! A board feeds UART bytes with [`Engine::handle_uart`] and writes out what
//! [`Engine::poll_transmit`] returns. Modules have one job each: [`mod@line`] frames command lines,
//! [`out`] queues output, [`store`] holds the global HTTP state, [`engine`] runs commands.
//!
//! Network I/O is the board's: the engine asks for it with [`Action`]s and is told what
//! happened (`handle_connected`, `handle_received`, `handle_closed`, `handle_net_error`,
//! `handle_time`).
//!
//! Limits: command lines as the spec (256 bytes); output queue [`engine::OUT_CAPACITY`]; stored
//! URL [`store::URL_CAPACITY`]; AT+HTTPCHEAD [`store::MAX_HEADERS`] entries in
//! [`store::HEADER_ARENA`] bytes.
//!
//! Test machinery stays out of the engine's logic: the harness's legitimate variants and
//! behavioural mutants are [`quirk::Quirks`] (no fields, every answer `false`, without the
//! `variants` and `mutants` features), and its byte-level mutants rewrite the output queue.
#![cfg_attr(not(test), no_std)]

pub mod device;

/// Names the clauses a piece of code implements, the one marker idiom of this crate: a clause
/// removed from the spec makes this fail to compile where its rule was implemented
/// (`grep Clause::X` finds it).
macro_rules! implements {
    ($($c:ident),+ $(,)?) => { let _ = [$($crate::device::Clause::$c),+]; };
}

pub mod engine;
pub mod http;
pub mod line;
#[cfg(feature = "mutants")]
pub mod mutant;
pub mod net;
pub mod out;
pub mod quirk;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
#[cfg(feature = "variants")]
pub mod variant;

pub use engine::{Config, Engine, Pki};
#[cfg(feature = "mutants")]
pub use mutant::Mutant;
pub use net::{Action, Tls};
#[cfg(feature = "variants")]
pub use variant::Variant;
