//! A link that writes every byte it carries to a UART log: one line per write or read, with
//! the time since the link opened, the direction (`>` to the device, `<` from it) and the bytes
//! made visible (`\r`, `\n`, `\xNN`). Link events (reopen, modem lines) are `#` lines. The
//! log is the device's full serial transcript, next to the reports.

use std::io::Write;
use std::time::{Duration, Instant};

use super::pipe::Link;

/// A link and its log file.
pub struct LoggedLink {
    inner: Box<dyn Link>,
    log: std::io::BufWriter<std::fs::File>,
    start: Instant,
}

impl LoggedLink {
    /// Logs `inner` into `path` (created or truncated).
    pub fn new(inner: Box<dyn Link>, path: &std::path::Path) -> Result<LoggedLink, String> {
        let file = std::fs::File::create(path)
            .map_err(|e| format!("cannot write the UART log {}: {e}", path.display()))?;
        let mut l = LoggedLink {
            log: std::io::BufWriter::new(file),
            start: Instant::now(),
            inner,
        };
        let what = l.inner.describe();
        l.line('#', format!("link {what}").as_bytes(), true);
        Ok(l)
    }

    fn line(&mut self, dir: char, bytes: &[u8], raw: bool) {
        let t = self.start.elapsed().as_secs_f64();
        let text = if raw {
            String::from_utf8_lossy(bytes).into_owned()
        } else {
            crate::bytes::escape(bytes)
        };
        let _ = writeln!(self.log, "{t:>12.6} {dir} {text}");
        // A log that stops at a crash is still useful up to it.
        let _ = self.log.flush();
    }
}

impl Link for LoggedLink {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.line('>', bytes, false);
        self.inner.write_all(bytes)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        let r = self.inner.read(buf, timeout);
        match &r {
            Ok(n) if *n > 0 => self.line('<', &buf[..*n], false),
            Err(e) => self.line('#', format!("read failed: {e}").as_bytes(), true),
            _ => {}
        }
        r
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        self.line('#', b"reopen", true);
        self.inner.reopen()
    }

    fn describe(&self) -> String {
        self.inner.describe()
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
