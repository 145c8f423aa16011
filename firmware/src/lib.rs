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
//! Status (issue #4 in progress): framing, echo, busy, data phases and every command that needs
//! no network (AT, ATE0/1, AT+GMR, AT+RST, AT+SYSLOG, AT+HTTPURLCFG, AT+HTTPCHEAD, AT+HTTPCFG)
//! are implemented; the HTTP transaction of AT+HTTPCLIENT/GETSIZE/CGET/CPOST/CPUT is not yet,
//! and those commands answer ERROR until it is.
//!
//! Limits: command lines as the spec (256 bytes); output queue [`engine::OUT_CAPACITY`]; stored
//! URL [`store::URL_CAPACITY`]; AT+HTTPCHEAD [`store::MAX_HEADERS`] entries in
//! [`store::HEADER_ARENA`] bytes.
#![cfg_attr(not(test), no_std)]

/// The code generated from the spec (parser, dispatcher, writers, clauses).
pub mod device {
    atspec_codegen::device!("../../spec/esp-at-http.yaml");
}

pub mod engine;
pub mod http;
pub mod line;
pub mod net;
pub mod out;
pub mod store;

pub use engine::{Config, Engine, Pki};
pub use net::{Action, Tls};
