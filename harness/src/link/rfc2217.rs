//! A serial port exported over RFC 2217 (Telnet COM-PORT-OPTION), as device farms publish
//! boards (ser2net `telnet(rfc2217)`, labgrid). Telnet framing is handled here: `0xFF` in
//! data is doubled on the wire, option negotiation and sub-negotiations are answered or
//! dropped, and the port is set to BAUD 8N1 with COM-PORT-OPTION commands.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
const SB: u8 = 250;
const SE: u8 = 240;
const BINARY: u8 = 0;
const SGA: u8 = 3;
const COM_PORT: u8 = 44;

/// COM-PORT-OPTION client commands (RFC 2217 §3).
const SET_BAUDRATE: u8 = 1;
const SET_DATASIZE: u8 = 2;
const SET_PARITY: u8 = 3;
const SET_STOPSIZE: u8 = 4;
const SET_CONTROL: u8 = 5;
/// SET-CONTROL values (RFC 2217): DTR and RTS on and off.
const DTR_ON: u8 = 8;
const DTR_OFF: u8 = 9;
const RTS_ON: u8 = 11;
const RTS_OFF: u8 = 12;

/// Where the decoder is inside a Telnet command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Data,
    Iac,
    Option(u8),
    Sub,
    SubIac,
}

/// The Telnet layer: strips commands from received bytes and collects the answers owed.
#[derive(Debug, Default)]
pub struct Telnet {
    state: State,
}

impl Telnet {
    /// Decodes received bytes: data goes to `data`, answers to negotiation go to `reply`.
    pub fn decode(&mut self, input: &[u8], data: &mut Vec<u8>, reply: &mut Vec<u8>) {
        for &b in input {
            self.state = match (self.state, b) {
                (State::Data, IAC) => State::Iac,
                (State::Data, _) => {
                    data.push(b);
                    State::Data
                }
                (State::Iac, IAC) => {
                    data.push(IAC);
                    State::Data
                }
                (State::Iac, WILL | WONT | DO | DONT) => State::Option(b),
                (State::Iac, SB) => State::Sub,
                (State::Iac, _) => State::Data,
                (State::Option(verb), opt) => {
                    // We want binary, suppress-go-ahead and COM-PORT both ways; refuse the rest.
                    let wanted = matches!(opt, BINARY | SGA | COM_PORT);
                    match verb {
                        DO => {
                            reply.extend_from_slice(&[IAC, if wanted { WILL } else { WONT }, opt])
                        }
                        WILL if !wanted => reply.extend_from_slice(&[IAC, DONT, opt]),
                        _ => {}
                    }
                    State::Data
                }
                // Server notifications (line/modem state, signature) carry nothing we need.
                (State::Sub, IAC) => State::SubIac,
                (State::Sub, _) => State::Sub,
                (State::SubIac, SE) => State::Data,
                (State::SubIac, _) => State::Sub,
            };
        }
    }

    /// Data bytes as they go on the wire (`0xFF` doubled).
    pub fn escape(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() + 8);
        for &b in bytes {
            out.push(b);
            if b == IAC {
                out.push(IAC);
            }
        }
        out
    }

    /// COM-PORT-OPTION SET-CONTROL for the DTR and RTS lines, one sub-negotiation each.
    pub fn set_control(dtr: bool, rts: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for value in [
            if dtr { DTR_ON } else { DTR_OFF },
            if rts { RTS_ON } else { RTS_OFF },
        ] {
            out.extend_from_slice(&[IAC, SB, COM_PORT, SET_CONTROL, value, IAC, SE]);
        }
        out
    }

    /// The opening negotiation and the port settings: BAUD, 8 data bits, no parity, 1 stop bit.
    pub fn hello(baud: u32) -> Vec<u8> {
        let mut out = vec![
            IAC, WILL, BINARY, IAC, DO, BINARY, IAC, WILL, SGA, IAC, DO, SGA, IAC, WILL, COM_PORT,
        ];
        let mut sub = |cmd: u8, value: &[u8]| {
            out.extend_from_slice(&[IAC, SB, COM_PORT, cmd]);
            out.extend_from_slice(&Telnet::escape(value));
            out.extend_from_slice(&[IAC, SE]);
        };
        sub(SET_BAUDRATE, &baud.to_be_bytes());
        sub(SET_DATASIZE, &[8]);
        sub(SET_PARITY, &[1]);
        sub(SET_STOPSIZE, &[1]);
        out
    }
}

/// A connected RFC 2217 port.
pub struct Rfc2217Link {
    addr: String,
    baud: u32,
    stream: TcpStream,
    telnet: Telnet,
    pending: Vec<u8>,
}

impl Rfc2217Link {
    /// Connects to `addr` and configures the port.
    pub fn open(addr: &str, baud: u32) -> Result<Rfc2217Link, String> {
        let mut stream =
            TcpStream::connect(addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        stream
            .write_all(&Telnet::hello(baud))
            .map_err(|e| format!("{addr}: RFC 2217 negotiation: {e}"))?;
        Ok(Rfc2217Link {
            addr: addr.into(),
            baud,
            stream,
            telnet: Telnet::default(),
            pending: Vec::new(),
        })
    }
}

impl super::pipe::Link for Rfc2217Link {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(&Telnet::escape(bytes))
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        let deadline = std::time::Instant::now() + timeout.max(Duration::from_millis(1));
        while self.pending.is_empty() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(0);
            }
            self.stream.set_read_timeout(Some(left))?;
            let mut raw = [0u8; 16 * 1024];
            match self.stream.read(&mut raw) {
                Ok(0) => {
                    return Err(std::io::Error::new(
                        ErrorKind::UnexpectedEof,
                        "the port server closed the connection",
                    ));
                }
                Ok(n) => {
                    let mut reply = Vec::new();
                    self.telnet.decode(&raw[..n], &mut self.pending, &mut reply);
                    if !reply.is_empty() {
                        self.stream.write_all(&reply)?;
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
                    return Ok(0);
                }
                Err(e) => return Err(e),
            }
        }
        let n = self.pending.len().min(buf.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }

    fn set_lines(&mut self, dtr: bool, rts: bool) -> std::io::Result<()> {
        self.stream.write_all(&Telnet::set_control(dtr, rts))
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        *self = Rfc2217Link::open(&self.addr, self.baud).map_err(std::io::Error::other)?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("rfc2217 {} at {} baud", self.addr, self.baud)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_escaped_and_commands_are_stripped_and_answered() {
        assert_eq!(Telnet::escape(&[1, 255, 2]), vec![1, 255, 255, 2]);
        let mut t = Telnet::default();
        let (mut data, mut reply) = (Vec::new(), Vec::new());
        // Data with a doubled 0xFF, a DO COM-PORT, a DO ECHO, a WILL ECHO, a notification
        // sub-negotiation (holding an escaped IAC), split at every awkward place.
        let wire = [
            b'O', IAC, IAC, b'K', IAC, DO, COM_PORT, IAC, DO, 1, IAC, WILL, 1, IAC, SB, COM_PORT,
            107, IAC, IAC, 3, IAC, SE, b'!',
        ];
        for chunk in wire.chunks(1) {
            t.decode(chunk, &mut data, &mut reply);
        }
        assert_eq!(data, vec![b'O', 255, b'K', b'!']);
        assert_eq!(reply, vec![IAC, WILL, COM_PORT, IAC, WONT, 1, IAC, DONT, 1]);
    }

    #[test]
    fn hello_sets_the_baud_rate_big_endian() {
        let h = Telnet::hello(115_200);
        let at = h
            .windows(4)
            .position(|w| w == [IAC, SB, COM_PORT, SET_BAUDRATE])
            .unwrap();
        assert_eq!(&h[at + 4..at + 8], &115_200u32.to_be_bytes());
        assert_eq!(&h[at + 8..at + 10], &[IAC, SE]);
    }

    #[test]
    fn set_control_drives_dtr_and_rts_with_the_rfc_values() {
        // RFC 2217: SET-CONTROL is sub-command 5; 8/9 = DTR on/off, 11/12 = RTS on/off.
        assert_eq!(
            Telnet::set_control(false, true),
            [255, 250, 44, 5, 9, 255, 240, 255, 250, 44, 5, 11, 255, 240]
        );
        assert_eq!(
            Telnet::set_control(true, false),
            [255, 250, 44, 5, 8, 255, 240, 255, 250, 44, 5, 12, 255, 240]
        );
    }
}
