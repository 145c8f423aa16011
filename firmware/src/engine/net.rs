//! The board-facing network API of the engine.
//!
//! The board runs the sockets. It takes [`Action`]s from [`Engine::poll_action`] (connect,
//! close), sends what [`Engine::poll_net_transmit`] gives it, and reports back with
//! [`Engine::handle_connected`], [`Engine::handle_received`] (which says how many bytes it
//! took, so output backpressure reaches the socket), [`Engine::handle_closed`],
//! [`Engine::handle_net_error`] and [`Engine::handle_time`]. Each call goes to the
//! [`crate::net::Transaction`]; an ending it reports is answered by the engine.

use super::{DataFor, Engine, Mode};
use crate::net::Action;

impl<const TX: usize, const RX: usize> Engine<TX, RX> {
    /// The next network action for the board.
    pub fn poll_action(&mut self) -> Option<Action<'_>> {
        self.txn.poll_action()
    }

    /// Request bytes for the socket; returns how many were written to `dst`.
    pub fn poll_net_transmit(&mut self, dst: &mut [u8]) -> usize {
        let data_open = matches!(
            self.mode,
            Mode::Data {
                to: DataFor::Body,
                ..
            }
        );
        self.txn.transmit(dst, data_open)
    }

    /// The connection is open.
    pub fn handle_connected(&mut self) {
        self.txn.connected();
    }

    /// Bytes from the socket; returns how many the engine took (the rest must be offered
    /// again after draining UART output).
    #[must_use = "bytes the engine did not take must be offered again"]
    pub fn handle_received(&mut self, bytes: &[u8]) -> usize {
        self.received(bytes)
    }

    /// The peer closed the connection.
    pub fn handle_closed(&mut self) {
        if let Some(ending) = self.txn.closed() {
            self.conclude(ending);
        }
    }

    /// The connection failed (refused, reset, TLS handshake, DNS).
    pub fn handle_net_error(&mut self) {
        if let Some(ending) = self.txn.net_error() {
            self.conclude(ending);
        }
    }

    /// The board's clock, in milliseconds; a transaction without progress for its network
    /// timeout fails (`HTTP.TIMEOUT.NETWORK`).
    pub fn handle_time(&mut self, now_ms: u64) {
        #[cfg(feature = "mutants")]
        if self.quirk(crate::quirk::Quirk::DataTimeout2s) {
            self.data_timeout_mutant(now_ms);
        }
        #[cfg(feature = "mutants")]
        match self.late_trailer {
            Some(0) => self.late_trailer = Some(now_ms + 20),
            Some(due) if now_ms >= due => {
                self.late_trailer = None;
                atspec_rt::ByteSink::put(&mut self.out, b"\r\n");
            }
            _ => {}
        }
        let waiting_for_data = matches!(self.mode, Mode::Data { .. });
        if let Some(ending) = self.txn.tick(now_ms, waiting_for_data) {
            self.conclude(ending);
        }
    }

    /// The `data-timeout-2s` mutant: a data phase idle for 2 s is abandoned with ERROR.
    #[cfg(feature = "mutants")]
    fn data_timeout_mutant(&mut self, now_ms: u64) {
        match self.mode {
            Mode::Data { got, .. } => {
                let (at, seen) = self.data_idle;
                if seen != got || at == 0 {
                    self.data_idle = (now_ms.max(1), got);
                } else if now_ms.saturating_sub(at) >= 2000 {
                    self.data_idle = (0, 0);
                    self.txn.abort();
                    self.mode = Mode::Command;
                    self.reply(crate::device::Reply::Error);
                }
            }
            _ => self.data_idle = (0, 0),
        }
    }

    /// When [`Engine::handle_time`] should be called next, if a transaction runs.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.txn.deadline()
    }
}
