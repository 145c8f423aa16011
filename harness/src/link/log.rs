//! A link that writes every byte it carries to a UART log: one line per write or read, with
//! the time since the link opened, the direction (`>` to the device, `<` from it) and the bytes
//! made visible (`\r`, `\n`, `\xNN`). Link events (reopen, modem lines) are `#` lines. The
//! log is the device's full serial transcript, next to the reports.
//!
//! Secrets (`crate::secrets`) never reach it: written lines are masked whole, and received
//! bytes that could be the start of a secret's echo are held back until the next read tells
//! (or the link writes, reopens or closes), so an echo split across reads is masked too. The
//! file is created 0600: it is the device's whole conversation.

use std::io::Write;
use std::time::{Duration, Instant};

use super::pipe::Link;

/// A link and its log file.
pub struct LoggedLink {
    inner: Box<dyn Link>,
    log: std::io::BufWriter<std::fs::File>,
    start: Instant,
    /// Received bytes not logged yet: a possible secret's start.
    held: Vec<u8>,
    /// Bytes written to the log so far (it stops at [`LOG_MAX`]).
    size: u64,
    /// The last read error logged, and how often it came again since.
    error: Option<(String, u64)>,
}

/// The largest UART log written: a device that floods for the whole run fills it, and the log
/// then says it was cut.
pub const LOG_MAX: u64 = 64 * 1024 * 1024;

impl LoggedLink {
    /// Logs `inner` into `path` (created or truncated).
    pub fn new(inner: Box<dyn Link>, path: &std::path::Path) -> Result<LoggedLink, String> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("cannot write the UART log {}: {e}", path.display()))?;
        let mut l = LoggedLink {
            log: std::io::BufWriter::new(file),
            start: Instant::now(),
            inner,
            held: Vec::new(),
            size: 0,
            error: None,
        };
        let what = l.inner.describe();
        l.line('#', format!("link {what}").as_bytes(), true);
        Ok(l)
    }

    fn line(&mut self, dir: char, bytes: &[u8], raw: bool) {
        let t = self.start.elapsed().as_secs_f64();
        let bytes = crate::secrets::mask_bytes(bytes);
        let text = if raw {
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            crate::bytes::escape(&bytes)
        };
        if self.size > LOG_MAX {
            return;
        }
        let entry = format!("{t:>12.6} {dir} {text}\n");
        self.size += entry.len() as u64;
        let _ = self.log.write_all(entry.as_bytes());
        if self.size > LOG_MAX {
            let _ = writeln!(
                self.log,
                "{t:>12.6} # log truncated: it reached {LOG_MAX} bytes; later traffic is not logged"
            );
        }
        // A log that stops at a crash is still useful up to it.
        let _ = self.log.flush();
    }

    /// Logs received bytes, holding back a tail that may be the start of a secret.
    fn received(&mut self, bytes: &[u8]) {
        self.held.extend_from_slice(bytes);
        let keep = crate::secrets::partial_tail(&self.held);
        let ready: Vec<u8> = self.held.drain(..self.held.len() - keep).collect();
        if !ready.is_empty() {
            self.line('<', &ready, false);
        }
    }

    /// Logs how often the last read error came again, if it did.
    fn repeats(&mut self) {
        if let Some((e, n)) = self.error.take()
            && n > 0
        {
            self.line(
                '#',
                format!("read failed {n} more times: {e}").as_bytes(),
                true,
            );
        }
    }

    /// Logs whatever is held back (nothing more can complete it now).
    fn release(&mut self) {
        if !self.held.is_empty() {
            let held = std::mem::take(&mut self.held);
            self.line('<', &held, false);
        }
    }
}

impl Drop for LoggedLink {
    fn drop(&mut self) {
        self.release();
        self.repeats();
    }
}

impl Link for LoggedLink {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.release();
        self.line('>', bytes, false);
        self.inner.write_all(bytes)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        let r = self.inner.read(buf, timeout);
        match &r {
            Ok(n) if *n > 0 => {
                self.repeats();
                self.received(&buf[..*n])
            }
            // A dead link fails every read: the same error is logged once, then counted.
            Err(e) => match &mut self.error {
                Some((last, n)) if *last == e.to_string() => *n += 1,
                _ => {
                    self.repeats();
                    self.line('#', format!("read failed: {e}").as_bytes(), true);
                    self.error = Some((e.to_string(), 0));
                }
            },
            _ => {}
        }
        r
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        self.release();
        self.line('#', b"reopen", true);
        self.inner.reopen()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn log_offset(&mut self) -> Option<u64> {
        // Held-back bytes stay held: they may be the start of a secret's echo, and releasing
        // them early would log that part unmasked. They land in the next check's range.
        let _ = self.log.flush();
        Some(self.size)
    }

    fn firmware(&self) -> Option<super::pipe::Firmware> {
        self.inner.firmware()
    }

    fn set_lines(&mut self, dtr: bool, rts: bool) -> std::io::Result<()> {
        let r = self.inner.set_lines(dtr, rts);
        let what = format!(
            "DTR={} RTS={}{}",
            u8::from(dtr),
            u8::from(rts),
            match &r {
                Ok(()) => String::new(),
                Err(e) => format!(" ({e})"),
            }
        );
        self.line('#', what.as_bytes(), true);
        r
    }
}
