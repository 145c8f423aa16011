//! A raw serial-over-TCP bridge (ser2net in raw mode, a QEMU `-serial tcp:` chardev).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A connected bridge.
pub struct TcpLink {
    addr: String,
    stream: TcpStream,
}

impl TcpLink {
    /// Connects to `addr` (`host:port`).
    pub fn open(addr: &str) -> Result<TcpLink, String> {
        let stream =
            TcpStream::connect(addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        Ok(TcpLink::over(addr, stream))
    }

    /// A link over a connection already made (a QEMU chardev the harness waited for).
    pub fn over(addr: &str, stream: TcpStream) -> TcpLink {
        let _ = stream.set_nodelay(true);
        TcpLink {
            addr: addr.into(),
            stream,
        }
    }
}

impl super::pipe::Link for TcpLink {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        match self.stream.read(buf) {
            Ok(0) => Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                "the bridge closed the connection",
            )),
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        *self = TcpLink::open(&self.addr).map_err(std::io::Error::other)?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("tcp {}", self.addr)
    }
}
