//! A scripted board and host around the engine, shared by the engine's tests, its benchmarks
//! and the fuzz target (feature `testkit`; never part of a firmware build).
//!
//! [`exchange`] runs one command against a scripted peer and returns what both sides saw;
//! [`feed`] and [`drain`] are its UART halves.
//!
//! [`Driver`] plays the board and the network peer over a whole script of [`Event`]s: it
//! offers UART and socket bytes again until the engine takes them (as a board does under
//! backpressure), delivers a peer's close only after the bytes sent before it, and drains
//! UART output with whatever credit the script gives, down to one byte at a time.
//!
//! [`Host`] plays the other end of the UART the way a host AT library frames answers: it sends
//! a command only after the previous command's final result, reads the answer token by token,
//! and reports a [`Violation`] when the output breaks the framing invariant:
//!
//! > every command produces exactly one final result (OK, ERROR, SEND OK, SEND FAIL, SET OK,
//! > or a prompt followed by one of these), and that result is the last thing it prints.
//!
//! The host judges only bytes. It knows the command it sent, the data it promised after a
//! prompt, and whether echo is on; the reply bytes come from the generated [`Reply`] table.

extern crate std;

mod exchange;
mod payload;

pub use exchange::{Exchange, drain, exchange, feed};
pub use payload::payloads;

use std::format;
use std::string::String;
use std::vec::Vec;

use crate::device::Reply;
use crate::engine::Engine;
use crate::net::Action;

/// One command the host can send: the line (with CR LF) and the data it sends after a prompt.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// The command line, ending in CR LF.
    pub line: &'static [u8],
    /// The bytes sent after the prompt, for commands with a data phase.
    pub data: Option<&'static [u8]>,
}

const fn cmd(line: &'static [u8]) -> Command {
    Command { line, data: None }
}

const fn with_data(line: &'static [u8], data: &'static [u8]) -> Command {
    Command {
        line,
        data: Some(data),
    }
}

/// Commands a script draws from: every HTTP command and method, the data phases, queries
/// that stream, and base commands that change echo or restart. Targets are `http://h/`.
pub const COMMANDS: &[Command] = &[
    cmd(b"AT+HTTPCLIENT=1,,\"http://h/\",,,1\r\n"),
    cmd(b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n"),
    cmd(b"AT+HTTPCLIENT=3,0,\"http://h/\",,,1,\"a=b\"\r\n"),
    cmd(b"AT+HTTPCLIENT=4,,\"http://h/\",,,1\r\n"),
    cmd(b"AT+HTTPCLIENT=5,,\"http://h/\",,,1\r\n"),
    cmd(b"AT+HTTPGETSIZE=\"http://h/\"\r\n"),
    cmd(b"AT+HTTPCGET=\"http://h/\"\r\n"),
    cmd(b"AT+HTTPCGET=\"http://h/\",0,16\r\n"),
    with_data(b"AT+HTTPCPOST=\"http://h/\",5\r\n", b"hello"),
    with_data(b"AT+HTTPCPUT=\"http://h/\",3,1,\"X-A: 1\"\r\n", b"abc"),
    with_data(b"AT+HTTPURLCFG=9\r\n", b"http://h/"),
    cmd(b"AT+HTTPURLCFG?\r\n"),
    cmd(b"AT+HTTPCGET=\"\"\r\n"),
    with_data(b"AT+HTTPCHEAD=6\r\n", b"X-B: 2"),
    cmd(b"AT+HTTPCHEAD?\r\n"),
    cmd(b"AT+HTTPCHEAD=0\r\n"),
    cmd(b"AT+HTTPCFG=3,0,0\r\n"),
    cmd(b"AT+HTTPCFG=1,5,0\r\n"),
    cmd(b"AT\r\n"),
    cmd(b"ATE0\r\n"),
    cmd(b"ATE1\r\n"),
    cmd(b"AT+GMR\r\n"),
    cmd(b"AT+SYSLOG=1\r\n"),
    cmd(b"AT+SYSLOG?\r\n"),
    cmd(b"AT+RST\r\n"),
    cmd(b"AT+NOPE\r\n"),
];

/// Peer responses a script draws from: HEAD answers that close right after the head (the
/// line-rate bug), bodies framed by length, chunks and close, error statuses, and junk.
pub const RESPONSES: &[&[u8]] = &[
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\nServer: x\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nclose-delimited body",
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnot",
    b"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 500 Oops\r\nContent-Length: 2000\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n",
    b"garbage\r\n\r\n",
];

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The host acts: sends its next command when idle, or (after a prompt) the next `n` bytes
    /// of the promised data.
    Host(usize),
    /// The board polls for a network action.
    PollAction,
    /// The pending connect succeeded.
    Connected,
    /// The peer sends these bytes.
    Peer(Vec<u8>),
    /// The peer sends `n` body bytes (`x`).
    PeerBody(usize),
    /// The peer closes the connection (after the bytes it sent).
    PeerClose,
    /// The connection fails (reset, TLS, refused).
    NetError,
    /// The peer reads up to `n` request bytes.
    PollNet(usize),
    /// `ms` milliseconds pass.
    Time(u64),
    /// The UART takes up to `n` output bytes (the output credit).
    Drain(usize),
}

/// A breach of the framing invariant (or of the engine's no-loss promise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// What went wrong.
    pub what: String,
    /// The command whose answer it concerns.
    pub command: String,
    /// The answer as read so far (control bytes escaped).
    pub answer: String,
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} (command `{}`, answer `{}`)",
            self.what, self.command, self.answer
        )
    }
}

/// Bytes with control characters escaped.
pub fn show(b: &[u8]) -> String {
    b.iter()
        .flat_map(|&c| core::ascii::escape_default(c))
        .map(char::from)
        .collect()
}

/// One framed piece of output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Reply(Reply),
    ErrCode,
    /// `+NAME:…`: a length-framed payload or an information line; NAME's length.
    Info(usize),
    /// Any other line (AT+GMR's version lines, AT+HTTPCFG's NO … FOUND).
    Line,
}

static REPLIES_LONGEST_FIRST: std::sync::LazyLock<Vec<Reply>> = std::sync::LazyLock::new(|| {
    let mut v = Reply::ALL.to_vec();
    v.sort_by_key(|r| core::cmp::Reverse(r.bytes().len()));
    v
});

/// Commands whose `+NAME:` lines carry `<n>,<n bytes>`: framed by length, not by CR LF.
const LENGTH_FRAMED: &[&[u8]] = &[b"HTTPCLIENT", b"HTTPCGET", b"HTTPCPOST", b"HTTPCPUT"];

/// Frames the token at the start of `buf`. `None` when more bytes are needed; with `quiet`
/// (no more output is coming) a partial token is read as it stands.
fn token(buf: &[u8], quiet: bool) -> Option<(Token, usize)> {
    // Replies, longest first so the prompt wins over the OK it starts with.
    let replies = &*REPLIES_LONGEST_FIRST;
    for r in replies {
        let b = r.bytes();
        if buf.starts_with(b) {
            // `\r\nOK\r\n` could still grow into the prompt.
            let longer = replies
                .iter()
                .any(|o| o.bytes().len() > b.len() && o.bytes().starts_with(buf));
            if longer && !quiet {
                return None;
            }
            return Some((Token::Reply(*r), b.len()));
        }
        if b.starts_with(buf) && !quiet {
            return None;
        }
    }
    let line_end = |from: usize| {
        buf[from..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| from + p + 2)
    };
    if buf.starts_with(b"ERR CODE:") {
        return match line_end(0) {
            Some(end) => Some((Token::ErrCode, end)),
            None if quiet => Some((Token::Line, buf.len())),
            None => None,
        };
    }
    if let Some(rest) = buf.strip_prefix(b"+")
        && let Some(colon) = rest.iter().position(|&c| c == b':')
    {
        let name = &rest[..colon];
        let after = &rest[colon + 1..];
        let framed = LENGTH_FRAMED.contains(&name) || name == b"HTTPURLCFG";
        if framed {
            let digits = after.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == after.len() && !quiet {
                return None;
            }
            if digits > 0 && after.get(digits) == Some(&b',') {
                let n: usize = core::str::from_utf8(&after[..digits])
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(usize::MAX);
                let start = 1 + colon + 1 + digits + 1;
                // AT+HTTPURLCFG?'s URL has no CR LF of its own.
                let tail = if name == b"HTTPURLCFG" { 0 } else { 2 };
                let end = start.saturating_add(n).saturating_add(tail);
                if buf.len() >= end {
                    if tail == 2 && &buf[end - 2..end] != b"\r\n" {
                        return Some((Token::Line, end));
                    }
                    return Some((Token::Info(name.len()), end));
                }
                return if quiet {
                    Some((Token::Line, buf.len()))
                } else {
                    None
                };
            }
        }
        return match line_end(0) {
            Some(end) => Some((Token::Info(name.len()), end)),
            None if quiet => Some((Token::Line, buf.len())),
            None => None,
        };
    }
    if buf.starts_with(b"+") && !quiet && !buf.contains(&b'\n') {
        // `+NAME` before its colon.
        return None;
    }
    match line_end(0) {
        // A line of its own: starts with a CR LF only when it is an empty line.
        Some(end) => Some((Token::Line, end)),
        None if quiet => Some((Token::Line, buf.len())),
        None => None,
    }
}

/// Where the host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No command runs; the last command may still owe `ready` (AT+RST).
    Idle { ready_owed: bool },
    /// Waiting for the echo of `sent` bytes, then the answer.
    Waiting,
    /// The prompt came; `sent` bytes of the data are out.
    Data { sent: usize },
}

/// A host on the UART that checks the framing invariant (see the module docs).
#[derive(Debug)]
pub struct Host {
    script: Vec<Command>,
    next: usize,
    current: Option<Command>,
    state: State,
    echo: bool,
    /// Echo bytes still expected at the start of the answer.
    echo_left: usize,
    /// Output not yet framed.
    buf: Vec<u8>,
    /// The answer so far, for reports.
    answer: Vec<u8>,
    /// UART bytes the engine has not taken yet.
    input: Vec<u8>,
    /// Commands answered with a final result.
    pub answered: usize,
}

impl Host {
    /// A host that will send `script` in order (echo is on at power-up).
    pub fn new(script: Vec<Command>) -> Host {
        Host {
            script,
            next: 0,
            current: None,
            state: State::Idle { ready_owed: false },
            echo: true,
            echo_left: 0,
            buf: Vec::new(),
            answer: Vec::new(),
            input: Vec::new(),
            answered: 0,
        }
    }

    /// Whether a command is outstanding (sent, final result not yet read).
    pub fn waiting(&self) -> bool {
        !matches!(self.state, State::Idle { .. })
    }

    fn violation(&self, what: String) -> Violation {
        Violation {
            what,
            command: self
                .current
                .map(|c| show(c.line.strip_suffix(b"\r\n").unwrap_or(c.line)))
                .unwrap_or_default(),
            answer: show(&self.answer),
        }
    }

    /// The host's turn: sends the next command when idle, or `n` more data bytes after a
    /// prompt. The bytes queue behind any the engine has not taken yet.
    fn act(&mut self, n: usize) {
        match self.state {
            // After AT+RST the host waits for `ready`, as a real host does.
            State::Idle { ready_owed: true } | State::Waiting => {}
            State::Idle { ready_owed: false } => {
                let Some(c) = self.script.get(self.next).copied() else {
                    return;
                };
                self.next += 1;
                self.current = Some(c);
                self.state = State::Waiting;
                self.echo_left = if self.echo { c.line.len() } else { 0 };
                self.answer.clear();
                self.input.extend_from_slice(c.line);
            }
            State::Data { sent } => {
                let data = self.current.and_then(|c| c.data).unwrap_or_default();
                let end = (sent + n.max(1)).min(data.len());
                self.input.extend_from_slice(&data[sent..end]);
                self.state = State::Data { sent: end };
            }
        }
    }

    /// Output from the engine. `quiet`: the engine has nothing more queued right now.
    fn output(&mut self, bytes: &[u8], quiet: bool) -> Result<(), Violation> {
        self.buf.extend_from_slice(bytes);
        self.frame(quiet)
    }

    fn frame(&mut self, quiet: bool) -> Result<(), Violation> {
        loop {
            if self.buf.is_empty() {
                return Ok(());
            }
            if self.echo_left > 0 {
                // The echo is exactly the line that was sent.
                let c = self.current.map(|c| c.line).unwrap_or_default();
                let done = c.len() - self.echo_left;
                let k = self.echo_left.min(self.buf.len());
                if self.buf[..k] != c[done..done + k] {
                    self.answer.extend_from_slice(&self.buf[..k]);
                    return Err(self.violation(format!(
                        "the answer does not start with the echo of the command (got `{}`)",
                        show(&self.buf[..k])
                    )));
                }
                self.answer.extend_from_slice(&self.buf[..k]);
                self.buf.drain(..k);
                self.echo_left -= k;
                continue;
            }
            let Some((tok, len)) = token(&self.buf, quiet) else {
                return Ok(());
            };
            let bytes: Vec<u8> = self.buf.drain(..len).collect();
            self.answer.extend_from_slice(&bytes);
            self.take(tok, &bytes)?;
        }
    }

    fn take(&mut self, tok: Token, bytes: &[u8]) -> Result<(), Violation> {
        let line = self.current.map(|c| c.line).unwrap_or_default();
        match self.state {
            State::Idle { ready_owed } => {
                if ready_owed && tok == Token::Reply(Reply::Ready) {
                    self.state = State::Idle { ready_owed: false };
                    return Ok(());
                }
                Err(self.violation(format!(
                    "output after the command's final result: `{}`",
                    show(bytes)
                )))
            }
            State::Waiting | State::Data { .. } => match tok {
                Token::Reply(Reply::Prompt) => {
                    let promised = self.current.and_then(|c| c.data).is_some();
                    if !promised || matches!(self.state, State::Data { .. }) {
                        return Err(self.violation("a prompt where none is due".into()));
                    }
                    self.state = State::Data { sent: 0 };
                    Ok(())
                }
                Token::Reply(r) if r.is_final() => {
                    if let State::Data { sent } = self.state {
                        let need = self.current.and_then(|c| c.data).map_or(0, <[u8]>::len);
                        if sent < need {
                            return Err(self.violation(format!(
                                "a final result after {sent} of {need} data bytes"
                            )));
                        }
                    }
                    self.answered += 1;
                    if r == Reply::Ok {
                        match line {
                            b"ATE0\r\n" => self.echo = false,
                            b"ATE1\r\n" | b"AT+RST\r\n" => self.echo = true,
                            _ => {}
                        }
                    }
                    self.state = State::Idle {
                        ready_owed: r == Reply::Ok && line == b"AT+RST\r\n",
                    };
                    Ok(())
                }
                Token::Reply(r) => Err(self.violation(format!(
                    "`{}` inside an answer although no input was sent meanwhile",
                    r.name()
                ))),
                Token::ErrCode => Ok(()),
                Token::Info(name_len) => {
                    let name = &bytes[1..1 + name_len];
                    // `+NAME:` lines belong to the command NAME only.
                    let own = line.strip_prefix(b"AT+").is_some_and(|rest| {
                        rest.starts_with(name)
                            && !rest[name.len()..]
                                .first()
                                .is_some_and(u8::is_ascii_alphabetic)
                    });
                    if own {
                        Ok(())
                    } else {
                        Err(self.violation(format!(
                            "another command's line in the answer: `{}`",
                            show(bytes)
                        )))
                    }
                }
                Token::Line => {
                    let may_print_lines =
                        line.starts_with(b"AT+GMR") || line.starts_with(b"AT+HTTPCFG=");
                    if may_print_lines {
                        Ok(())
                    } else {
                        Err(self.violation(format!("bytes that are no token: `{}`", show(bytes))))
                    }
                }
            },
        }
    }
}

/// A socket as the board holds it.
#[derive(Debug, Default)]
struct Socket {
    open: bool,
    /// Bytes from the peer the engine has not taken yet.
    rx: Vec<u8>,
    /// The peer closed after `rx`.
    eof: bool,
}

/// Plays the board and the peer for one engine and one [`Host`].
#[derive(Debug)]
pub struct Driver<const TX: usize, const RX: usize> {
    /// The engine under test.
    pub engine: Engine<TX, RX>,
    /// The host on its UART.
    pub host: Host,
    sock: Option<Socket>,
    now: u64,
    buf: Vec<u8>,
}

impl<const TX: usize, const RX: usize> Driver<TX, RX> {
    /// A booted engine (its `ready` already read) and a host with `script`.
    pub fn new(mut engine: Engine<TX, RX>, script: Vec<Command>) -> Self {
        engine.boot();
        let boot = drain(&mut engine);
        debug_assert_eq!(boot, Reply::Ready.bytes());
        let buf = std::vec![0u8; 16 * 1024];
        Driver {
            engine,
            host: Host::new(script),
            sock: None,
            now: 0,
            buf,
        }
    }

    /// Runs one event, then lets the board offer what is pending (UART input, socket bytes,
    /// a close). Stops at the first violation.
    pub fn step(&mut self, ev: &Event) -> Result<(), Violation> {
        match ev {
            Event::Host(n) => self.host.act(*n),
            Event::PollAction => match self.engine.poll_action() {
                Some(Action::Connect { .. }) => self.sock = Some(Socket::default()),
                Some(Action::Close) => self.sock = None,
                None => {}
            },
            Event::Connected => {
                if let Some(s) = self.sock.as_mut().filter(|s| !s.open) {
                    s.open = true;
                    self.engine.handle_connected();
                }
            }
            Event::Peer(b) => self.peer(b),
            Event::PeerBody(n) => self.peer(&std::vec![b'x'; *n]),
            Event::PeerClose => {
                if let Some(s) = self.sock.as_mut().filter(|s| s.open) {
                    s.eof = true;
                }
            }
            Event::NetError => {
                if self.sock.take().is_some() {
                    self.engine.handle_net_error();
                }
            }
            Event::PollNet(n) => {
                let n = (*n).min(self.buf.len());
                let _ = self.engine.poll_net_transmit(&mut self.buf[..n]);
            }
            Event::Time(ms) => {
                self.now += ms;
                self.engine.handle_time(self.now);
            }
            Event::Drain(n) => self.drain(*n)?,
        }
        self.pump();
        self.check_no_loss()
    }

    fn peer(&mut self, bytes: &[u8]) {
        if let Some(s) = self.sock.as_mut().filter(|s| s.open && !s.eof) {
            s.rx.extend_from_slice(bytes);
        }
    }

    /// What a board loop does besides the event: offer untaken input and socket bytes, and
    /// report a close once everything before it was taken.
    fn pump(&mut self) {
        if !self.host.input.is_empty() {
            let n = self.engine.handle_uart(&self.host.input);
            self.host.input.drain(..n);
        }
        if let Some(s) = self.sock.as_mut().filter(|s| s.open) {
            if !s.rx.is_empty() {
                let n = self.engine.handle_received(&s.rx);
                s.rx.drain(..n);
            }
            if s.rx.is_empty() && s.eof {
                self.sock = None;
                self.engine.handle_closed();
            }
        }
    }

    fn drain(&mut self, credit: usize) -> Result<(), Violation> {
        let n = credit.min(self.buf.len());
        let k = self.engine.poll_transmit(&mut self.buf[..n]);
        let quiet = self.engine.pending_output() == 0;
        let bytes = self.buf[..k].to_vec();
        self.host.output(&bytes, quiet)
    }

    fn check_no_loss(&self) -> Result<(), Violation> {
        if self.engine.dropped_output() > 0 {
            return Err(self.host.violation(format!(
                "{} output bytes dropped",
                self.engine.dropped_output()
            )));
        }
        Ok(())
    }

    /// Runs `events`, then ends the script the way a host gives up on the network: the
    /// connection fails, time passes, promised data is sent, and output is drained until
    /// the line is quiet. Every command sent must have its final result by then, and nothing
    /// may follow it.
    pub fn run(&mut self, events: &[Event]) -> Result<(), Violation> {
        for ev in events {
            self.step(ev)?;
        }
        self.finish()
    }

    /// See [`Driver::run`].
    pub fn finish(&mut self) -> Result<(), Violation> {
        for _ in 0..10_000 {
            self.step(&Event::NetError)?;
            self.step(&Event::Time(1_000_000))?;
            self.step(&Event::Drain(usize::MAX))?;
            self.step(&Event::PollAction)?;
            if let State::Data { .. } = self.host.state {
                self.step(&Event::Host(64))?;
            }
            let settled = !self.host.waiting()
                && self.host.input.is_empty()
                && self.engine.pending_output() == 0;
            if settled {
                // Whatever the engine still prints now follows a final result.
                self.step(&Event::Drain(usize::MAX))?;
                self.host.frame(true)?;
                return Ok(());
            }
        }
        self.host.frame(true)?;
        Err(self
            .host
            .violation("no final result after the network went away".into()))
    }
}
