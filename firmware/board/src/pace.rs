//! Pacing UART output at a baud rate (8N1: 10 bits per byte).

use std::time::Instant;

/// Lets through at most as many bytes as the line could have carried since the start.
pub struct Pacer {
    bytes_per_sec: f64,
    start: Instant,
    sent: u64,
}

impl Pacer {
    /// `baud` 0 means unpaced.
    pub fn new(baud: u32) -> Self {
        Pacer {
            bytes_per_sec: f64::from(baud) / 10.0,
            start: Instant::now(),
            sent: 0,
        }
    }

    /// Bytes that may be written now.
    pub fn room(&mut self) -> usize {
        if self.bytes_per_sec == 0.0 {
            return usize::MAX;
        }
        let allowed = (self.start.elapsed().as_secs_f64() * self.bytes_per_sec) as u64;
        if allowed < self.sent {
            return 0;
        }
        // After an idle stretch the line does not bank unused time: restart the clock.
        if allowed - self.sent > self.bytes_per_sec as u64 / 10 + 64 {
            self.start = Instant::now();
            self.sent = 0;
            return 64;
        }
        (allowed - self.sent) as usize
    }

    /// Records written bytes.
    pub fn sent(&mut self, n: usize) {
        self.sent += n as u64;
    }
}
