//! A serial port (a real module, or the virtual board's pseudo-terminal).

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

/// An open serial port.
pub struct SerialLink {
    path: String,
    baud: u32,
    /// `None` only between a reopen's close and its open.
    port: Option<TTYPort>,
}

impl SerialLink {
    /// Opens `path` at `baud`, 8N1, no flow control.
    pub fn open(path: &str, baud: u32) -> Result<SerialLink, String> {
        let mut port = serialport::new(path, baud)
            .timeout(Duration::from_millis(50))
            .open_native()
            .map_err(|e| format!("cannot open serial port {path}: {e}"))?;
        // Modules wired for auto-reset use DTR/RTS (released here: EN high, IO0 high); a pty
        // has neither (ENOTTY), which is no failure and no news: only `--reset dtr-rts`
        // needs the lines, and it says so when they are missing.
        let _ = port.write_data_terminal_ready(true);
        let _ = port.write_request_to_send(false);
        let _ = port.clear(serialport::ClearBuffer::All);
        Ok(SerialLink {
            path: path.into(),
            baud,
            port: Some(port),
        })
    }

    fn port(&mut self) -> std::io::Result<&mut TTYPort> {
        self.port.as_mut().ok_or_else(|| {
            std::io::Error::new(ErrorKind::NotConnected, "the serial port is closed")
        })
    }
}

impl super::pipe::Link for SerialLink {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let port = self.port()?;
        port.write_all(bytes)?;
        port.flush()
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        let port = self.port()?;
        port.set_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(std::io::Error::other)?;
        match port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        // The port is opened exclusively (a lock the old handle holds until it is closed):
        // close it first, then open it again.
        self.port = None;
        *self = SerialLink::open(&self.path, self.baud).map_err(std::io::Error::other)?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("serial {} at {} baud", self.path, self.baud)
    }

    fn set_lines(&mut self, dtr: bool, rts: bool) -> std::io::Result<()> {
        let port = self.port()?;
        port.write_data_terminal_ready(dtr)
            .and_then(|_| port.write_request_to_send(rts))
            .map_err(std::io::Error::other)
    }
}
