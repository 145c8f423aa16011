//! One command at a time against a scripted peer: the driver the engine's tests and benches
//! share. The UART input is offered again until the engine took it, output is drained
//! between offers (as a board does under backpressure), connects succeed at once, and the
//! response arrives in reads of a chosen size.

extern crate std;

use std::string::String;
use std::vec::Vec;

use crate::engine::Engine;
use crate::net::{Action, Tls};

/// What one command did on both sides of the engine.
#[derive(Debug, Default)]
pub struct Exchange {
    /// Everything the engine printed on the UART.
    pub uart: Vec<u8>,
    /// Every request byte the peer read.
    pub request: Vec<u8>,
    /// Each connect asked for: host, port, and whether it was TLS.
    pub connects: Vec<(String, u16, bool)>,
    /// The TLS settings of the last connect.
    pub tls: Option<Tls>,
    /// How many closes the engine asked for.
    pub closes: usize,
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

/// Feeds `bytes` to the UART in chunks of the given sizes (cycled), offering each chunk until
/// it is taken and draining output in between; returns the output.
///
/// # Panics
/// When the engine takes nothing although its output queue is empty.
pub fn feed<const T: usize, const R: usize>(
    e: &mut Engine<T, R>,
    bytes: &[u8],
    chunks: &[usize],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut sizes = chunks.iter().cycle();
    while at < bytes.len() {
        let n = sizes
            .next()
            .copied()
            .unwrap_or(usize::MAX)
            .clamp(1, bytes.len() - at);
        let mut chunk = &bytes[at..at + n];
        at += n;
        loop {
            let took = e.handle_uart(chunk);
            chunk = &chunk[took..];
            out.extend(drain(e));
            if chunk.is_empty() {
                break;
            }
            assert!(took > 0, "no progress with an empty output queue");
        }
    }
    out
}

impl Exchange {
    /// Answers the engine's network actions: a connect succeeds at once.
    pub fn actions<const T: usize, const R: usize>(&mut self, e: &mut Engine<T, R>) {
        while let Some(a) = e.poll_action() {
            match a {
                Action::Connect { host, port, tls } => {
                    self.connects.push((
                        String::from_utf8_lossy(host).into_owned(),
                        port,
                        tls.is_some(),
                    ));
                    self.tls = tls;
                    e.handle_connected();
                }
                Action::Close => self.closes += 1,
            }
        }
    }

    /// Answers the engine's network actions and reads every request byte it has.
    pub fn pump<const T: usize, const R: usize>(&mut self, e: &mut Engine<T, R>) {
        let mut buf = [0u8; 512];
        loop {
            self.actions(e);
            let n = e.poll_net_transmit(&mut buf);
            if n == 0 {
                return;
            }
            self.request.extend_from_slice(&buf[..n]);
        }
    }

    /// Sends `uart` (command lines and any data), offering the rest again until taken.
    pub fn send<const T: usize, const R: usize>(&mut self, e: &mut Engine<T, R>, uart: &[u8]) {
        let mut input = uart;
        while !input.is_empty() {
            let took = e.handle_uart(input);
            input = &input[took..];
            self.uart.extend(drain(e));
            self.pump(e);
        }
        self.pump(e);
    }

    /// The peer sends `response` in reads of `piece` bytes; what the engine does not take is
    /// offered again after draining its output, until it takes nothing even then. The peer
    /// reads no request bytes meanwhile (a redirect's next request waits for [`Self::pump`]).
    pub fn respond<const T: usize, const R: usize>(
        &mut self,
        e: &mut Engine<T, R>,
        response: &[u8],
        piece: usize,
    ) {
        for part in response.chunks(piece.max(1)) {
            let mut rest = part;
            while !rest.is_empty() {
                let took = e.handle_received(rest);
                rest = &rest[took..];
                let printed = drain(e);
                let stuck = took == 0 && printed.is_empty();
                self.uart.extend(printed);
                self.actions(e);
                if stuck {
                    return;
                }
            }
        }
    }

    /// The peer closes the connection.
    pub fn close<const T: usize, const R: usize>(&mut self, e: &mut Engine<T, R>) {
        e.handle_closed();
        self.uart.extend(drain(e));
        self.actions(e);
    }
}

/// One command against the peer: `uart` in, the request read, `response` sent in
/// `piece`-byte reads, and the connection closed afterwards when `close` is set.
pub fn exchange<const T: usize, const R: usize>(
    e: &mut Engine<T, R>,
    uart: &[u8],
    response: &[u8],
    piece: usize,
    close: bool,
) -> Exchange {
    let mut ex = Exchange::default();
    ex.send(e, uart);
    ex.respond(e, response, piece);
    if close {
        ex.close(e);
    } else {
        ex.uart.extend(drain(e));
        ex.actions(e);
    }
    ex
}
