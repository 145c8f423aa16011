//! The AT channel: a pseudo-terminal master, or a TCP client.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::path::PathBuf;

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::pty::openpty;
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

/// A pseudo-terminal whose slave end a host opens like a serial port.
pub struct Pty {
    master: File,
    /// Kept open so the master never sees EOF/EIO while no host has the slave open.
    _slave: File,
    /// The slave's path (`/dev/pts/N`).
    pub path: PathBuf,
}

impl Pty {
    /// Opens a raw (no echo, no line editing) pseudo-terminal.
    pub fn open() -> std::io::Result<Pty> {
        let pair = openpty(None, None)?;
        let mut t = tcgetattr(pair.slave.as_fd())?;
        cfmakeraw(&mut t);
        tcsetattr(pair.slave.as_fd(), SetArg::TCSANOW, &t)?;
        let path = nix::unistd::ttyname(pair.slave.as_fd())?;
        let flags = OFlag::from_bits_truncate(fcntl(pair.master.as_fd(), FcntlArg::F_GETFL)?);
        fcntl(
            pair.master.as_fd(),
            FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK),
        )?;
        Ok(Pty {
            master: File::from(pair.master),
            _slave: File::from(pair.slave),
            path,
        })
    }
}

/// Where AT bytes come from and go to.
pub enum Link {
    /// A pseudo-terminal.
    Pty(Pty),
    /// A TCP listener serving one client at a time.
    Tcp {
        /// Accepts the next client.
        listener: TcpListener,
        /// The current client.
        client: Option<TcpStream>,
    },
}

impl Link {
    /// Reads what is available without blocking; 0 when nothing is.
    pub fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let r = match self {
            Link::Pty(p) => p.master.read(buf),
            Link::Tcp { listener, client } => {
                if client.is_none() {
                    listener.set_nonblocking(true)?;
                    match listener.accept() {
                        Ok((s, peer)) => {
                            tracing::info!("client {peer}");
                            s.set_nonblocking(true)?;
                            *client = Some(s);
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(0),
                        Err(e) => return Err(e),
                    }
                }
                match client.as_mut().map(|c| c.read(buf)) {
                    Some(Ok(0)) => {
                        *client = None;
                        Ok(0)
                    }
                    Some(r) => r,
                    None => Ok(0),
                }
            }
        };
        match r {
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(0),
            other => other,
        }
    }

    /// Writes everything, waiting while the channel is full.
    pub fn write_all(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let r = match self {
                Link::Pty(p) => p.master.write(bytes),
                Link::Tcp {
                    client: Some(c), ..
                } => c.write(bytes),
                // No client: output is dropped, as a UART with nothing attached.
                Link::Tcp { client: None, .. } => return Ok(()),
            };
            match r {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_micros(200))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
