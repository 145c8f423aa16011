//! The engine: UART bytes in, UART bytes (and, later, network actions) out.
//!
//! Sans-IO in the style of quinn-proto: the board calls [`Engine::handle_uart`] with whatever
//! bytes arrived and drains [`Engine::poll_transmit`]; the engine never blocks, never
//! allocates, and holds only fixed-size state.

mod commands;
mod http;
mod net;

use atspec_rt::ByteSink;

use crate::device::{self, Reply, respond};
use crate::line::{LineBuf, Pushed};
use crate::net::{Ending, Transaction};
use crate::out::Out;
use crate::quirk::{Quirk, Quirks};
use crate::store::{Auth, HeaderStore, UrlStore};

/// Certificates available to AT+HTTPCFG (the board's PKI directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pki {
    /// Client certificates.
    pub certs: u32,
    /// Private keys.
    pub keys: u32,
    /// CA certificates.
    pub cas: u32,
}

/// What the engine needs to know about its board.
#[derive(Debug, Clone, Copy, Default)]
pub struct Config {
    /// The PKI the board can load.
    pub pki: Pki,
}

/// Where data-phase bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataFor {
    Url,
    Header,
    /// AT+HTTPCPOST / AT+HTTPCPUT body bytes, forwarded to the network.
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Assembling command lines.
    Command,
    /// Reading exactly `need` raw bytes after a prompt.
    Data {
        to: DataFor,
        need: usize,
        got: usize,
    },
    /// A network transaction runs; input is refused.
    Busy,
}

/// Bytes the output queue holds.
pub const OUT_CAPACITY: usize = 2048;

/// Free queue space the engine needs before it takes another input byte: one echoed byte plus
/// the longest answer written at once. Longer answers stream from state in `poll_transmit`, so
/// whether an answer streams depends only on its size, never on how full the queue is.
pub const RESERVE: usize = 512;

/// Output produced straight from state in [`Engine::poll_transmit`], for answers longer than
/// the output queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Streaming {
    None,
    /// AT+HTTPURLCFG?: the stored URL from this offset, then OK.
    Url {
        at: usize,
    },
    /// AT+HTTPCHEAD?: entries from this index, then OK.
    Headers {
        next: usize,
    },
    /// A HEAD response: header lines from this index (parsed again from the rx buffer).
    HeadLines {
        next: usize,
    },
}

/// The AT engine. `TX` and `RX` are the capacities of the request and response-head buffers:
/// the default 2048 matches ESP-AT's build; a board serving 8192-byte URLs uses 10240.
#[derive(Debug)]
pub struct Engine<const TX: usize = 2048, const RX: usize = 2048> {
    config: Config,
    line: LineBuf,
    out: Out<OUT_CAPACITY>,
    streaming: Streaming,
    mode: Mode,
    echo: bool,
    syslog: bool,
    url: UrlStore,
    headers: HeaderStore,
    auth: Auth,
    txn: Transaction<TX, RX>,
    /// Behaviours besides the default reading (none outside the harness's tests).
    quirks: Quirks,
    /// When the `data-timeout-2s` mutant last saw data-phase progress, and how much.
    #[cfg(feature = "mutants")]
    data_idle: (u64, usize),
    /// The `late-trailer` mutant's stray bytes: owed (`Some(0)`), or due at this time.
    #[cfg(feature = "mutants")]
    late_trailer: Option<u64>,
    /// The ESP-AT version emulated (its commands and clause variants); `None`: the contract.
    profile: Option<&'static atspec_rt::SpecProfile<device::Name>>,
}

impl Engine {
    /// A freshly started device with the default 2048-byte buffers.
    pub fn new(config: Config) -> Self {
        Self::with_buffers(config)
    }
}

impl<const TX: usize, const RX: usize> Engine<TX, RX> {
    /// A freshly started device; [`Engine::boot`] queues its `ready`.
    pub fn with_buffers(config: Config) -> Self {
        implements!(EchoDefaultOn, SyslogDefaultOff);
        Engine {
            config,
            line: LineBuf::default(),
            out: Out::default(),
            streaming: Streaming::None,
            mode: Mode::Command,
            echo: true,
            syslog: false,
            url: UrlStore::default(),
            headers: HeaderStore::default(),
            auth: Auth::default(),
            txn: Transaction::default(),
            quirks: Quirks::NONE,
            #[cfg(feature = "mutants")]
            data_idle: (0, 0),
            #[cfg(feature = "mutants")]
            late_trailer: None,
            profile: None,
        }
    }

    /// Behaves as the spec's profile `p` says: commands it lacks are answered as unknown, its
    /// clause variants apply, and AT+GMR reports its ESP-AT version. Survives AT+RST.
    pub fn set_profile(&mut self, p: &'static atspec_rt::SpecProfile<device::Name>) {
        self.profile = Some(p);
    }

    /// The clause variants in force (none for the contract).
    fn behaviour(&self) -> atspec_rt::Behaviour {
        let b = self.profile.map(|p| p.behaviour).unwrap_or_default();
        self.quirks.behaviour(b)
    }

    /// Whether this engine has behaviour `q` (always `false` without the test features).
    #[inline(always)]
    fn quirk(&self, q: Quirk) -> bool {
        self.quirks.has(q)
    }

    /// Makes this engine deviate from the spec in one deliberate way (harness tests only).
    #[cfg(feature = "mutants")]
    pub fn set_mutant(&mut self, m: crate::mutant::Mutant) {
        match m.deviation() {
            crate::mutant::Deviation::Behaves(q) => self.quirks = self.quirks.with(q),
            crate::mutant::Deviation::Prints(rules) => {
                self.out.set_rewrite(crate::mutant::Rewrite::new(rules))
            }
        }
        self.echo = !self.quirk(Quirk::EchoOffAtStart);
    }

    /// Makes this engine choose one permitted behaviour other than its default (harness
    /// tolerance tests only).
    #[cfg(feature = "variants")]
    pub fn set_variant(&mut self, v: crate::variant::Variant) {
        self.quirks = self.quirks.with(v.quirk());
    }

    /// Prints `ready`, as a module does when it has started.
    pub fn boot(&mut self) {
        respond::reply(&mut self.out, Reply::Ready);
    }

    /// Moves UART output into `dst`; returns the number of bytes.
    pub fn poll_transmit(&mut self, dst: &mut [u8]) -> usize {
        let mut n = 0;
        loop {
            n += self.out.drain(&mut dst[n..]);
            if n == dst.len() {
                return n;
            }
            // The queue is empty: continue a streamed answer.
            match self.streaming {
                Streaming::None => return n,
                Streaming::Url { at } => {
                    // Straight from the store to the UART, without passing through the queue.
                    let url = self.url.get().unwrap_or(&[]);
                    let k = (url.len() - at).min(dst.len() - n);
                    dst[n..n + k].copy_from_slice(&url[at..at + k]);
                    n += k;
                    if at + k == url.len() {
                        self.streaming = Streaming::None;
                        self.reply(Reply::Ok);
                    } else {
                        self.streaming = Streaming::Url { at: at + k };
                    }
                }
                Streaming::HeadLines { next } => {
                    if self.head_line(next) {
                        self.streaming = Streaming::HeadLines { next: next + 1 };
                    } else {
                        self.streaming = Streaming::None;
                        let status = self.txn.status();
                        self.conclude(Ending::Response(status));
                    }
                }
                Streaming::Headers { next } => {
                    let Engine { headers, out, .. } = self;
                    let more = match headers.iter().nth(next) {
                        Some(entry) => {
                            respond::http_c_head_query_entry(out, next as i64, entry);
                            true
                        }
                        None => false,
                    };
                    if more {
                        self.streaming = Streaming::Headers { next: next + 1 };
                    } else {
                        self.streaming = Streaming::None;
                        self.reply(Reply::Ok);
                    }
                }
            }
        }
    }

    /// Bytes waiting for the UART (queued or still to be streamed).
    pub fn pending_output(&self) -> usize {
        let streaming = match self.streaming {
            Streaming::None => 0,
            Streaming::Url { at } => {
                self.url.get().map_or(0, |u| u.len() - at) + Reply::Ok.bytes().len()
            }
            Streaming::Headers { .. } | Streaming::HeadLines { .. } => 1,
        };
        self.out.len() + streaming
    }

    /// Output bytes lost to a full queue since start (0 unless the board never drains).
    pub fn dropped_output(&self) -> usize {
        self.out.dropped()
    }

    /// Whether a command is running (input is answered with `busy p...`): a network
    /// transaction, or an answer still being streamed out.
    pub fn is_busy(&self) -> bool {
        self.mode == Mode::Busy || self.streaming != Streaming::None
    }

    /// Whether the engine is reading raw data after a prompt.
    pub fn in_data_phase(&self) -> bool {
        matches!(self.mode, Mode::Data { .. })
    }

    /// Handles bytes from the UART, as one received chunk, and returns how many it took.
    ///
    /// The engine stops taking input while its output queue has less than [`RESERVE`] bytes
    /// free; the board drains [`Engine::poll_transmit`] and offers the rest again. Nothing is
    /// ever dropped, and the output does not depend on how the input was chunked (but under
    /// the `chunk-discard` variant, whose overflow ends with the chunk).
    #[must_use = "bytes the engine did not take must be offered again"]
    pub fn handle_uart(&mut self, bytes: &[u8]) -> usize {
        let mut rest = bytes;
        let mut discarding = false;
        while !rest.is_empty() && self.out.space() >= RESERVE {
            if self.streaming != Streaming::None {
                self.busy_chunk(rest);
                return bytes.len();
            }
            match self.mode {
                Mode::Busy => {
                    self.busy_chunk(rest);
                    return bytes.len();
                }
                Mode::Data { to, need, got } => {
                    implements!(EchoDataModeOff, HttpcsendDataRaw);
                    let mut n = (need - got).min(rest.len());
                    match to {
                        DataFor::Url => self.url.receive(&rest[..n]),
                        DataFor::Header => self.headers.receive(&rest[..n]),
                        DataFor::Body => {
                            // Forwarded to the network as far as the tx buffer has room.
                            n = self.txn.body_bytes(&rest[..n]);
                            if n == 0 {
                                break;
                            }
                        }
                    }
                    rest = &rest[n..];
                    if got + n == need {
                        // What follows the data in this chunk is input while the command
                        // runs (busy), read by the next turn of the loop.
                        implements!(BusyAfterData);
                        self.mode = Mode::Command;
                        self.finish_data(to);
                    } else {
                        self.mode = Mode::Data {
                            to,
                            need,
                            got: got + n,
                        };
                    }
                }
                Mode::Command => {
                    let n = self.command_bytes(rest, &mut discarding);
                    rest = &rest[n..];
                }
            }
        }
        bytes.len() - rest.len()
    }

    /// Echoes and assembles bytes until a line completes or the queue needs draining;
    /// returns how many bytes it took.
    ///
    /// `discarding` lasts for one received chunk: it is set by an overflow when the board
    /// discards whole chunks (`chunk-discard`).
    fn command_bytes(&mut self, bytes: &[u8], discarding: &mut bool) -> usize {
        for (i, &b) in bytes.iter().enumerate() {
            if self.out.space() < RESERVE {
                return i;
            }
            self.echo(&[b]);
            let pushed = if *discarding {
                self.line.push_discarding(b)
            } else {
                self.line.push(b)
            };
            match pushed {
                Pushed::Line => {
                    *discarding = false;
                    self.run_line();
                    return i + 1;
                }
                Pushed::Discarded if b != 0 && self.quirk(Quirk::ChunkDiscard) => {
                    *discarding = true;
                }
                _ => {}
            }
        }
        bytes.len()
    }

    fn echo(&mut self, bytes: &[u8]) {
        implements!(EchoBytes);
        if self.echo {
            self.out.put(bytes);
        }
    }

    fn run_line(&mut self) {
        let mut text = [0u8; crate::line::CAPACITY];
        let line = self.line.line();
        let n = line.len();
        text[..n].copy_from_slice(line);
        self.line.clear();
        let mut scratch = [0u8; crate::line::CAPACITY];
        // A version without the command does not know its name, whatever form or parameters
        // follow it: the name is looked up before anything else is parsed.
        let lacked = atspec_rt::head(&text[..n], crate::line::CAPACITY)
            .ok()
            .and_then(|h| device::Name::lookup(h.name))
            .is_some_and(|name| self.profile.is_some_and(|p| !p.has(name)));
        match device::parse(&text[..n], &mut scratch) {
            _ if lacked => {
                let r = device::ANSWERS.reject(atspec_rt::RejectKind::UnknownCommand);
                self.error_code(r.err_code);
                self.out.put(r.result);
            }
            _ if self.send_url_unusable(&text[..n]) => {
                // The stated order (reference §2.4): the URL before every other check.
                implements!(FramingFaultsEither, HttpcsendErrorBeforePrompt);
                self.reply(Reply::Error);
            }
            Ok(cmd)
                if self.behaviour().getsize_url_only
                    && cmd.name_and_form().0 == device::Name::HttpGetSize
                    && crate::line::field_count(&text[..n]) > 1 =>
            {
                // Cores before v3.0 (`getsize_url_only`): the URL and nothing else.
                implements!(HttpParamCountSized);
                let given = u8::try_from(crate::line::field_count(&text[..n])).unwrap_or(u8::MAX);
                let r = device::ANSWERS.reject(atspec_rt::RejectKind::ParamCount { given });
                self.error_code(r.err_code);
                self.out.put(r.result);
            }
            Ok(cmd) => device::dispatch(&cmd, self),
            Err(r) => {
                implements!(
                    FramingLinePrefix,
                    FramingLineMaxLength,
                    FramingCommandUnknown,
                    FramingFormMissing
                );
                #[cfg(feature = "variants")]
                if self.other_reading(&text[..n], &r) {
                    return;
                }
                self.error_code(r.err_code);
                self.out.put(r.result);
            }
        }
    }

    /// A legitimate variant's reading of a line the default reading refuses; `true` when it
    /// answered the line itself.
    #[cfg(feature = "variants")]
    fn other_reading(&mut self, line: &[u8], r: &atspec_rt::Rejection) -> bool {
        use crate::line::{field_count, is_set_of};
        if self.quirk(Quirk::TransportDefault)
            && is_set_of(line, b"AT+HTTPCLIENT")
            && field_count(line) == 5
            && line.len() + 2 <= crate::line::CAPACITY
        {
            let mut text = [0u8; crate::line::CAPACITY];
            text[..line.len()].copy_from_slice(line);
            text[line.len()..line.len() + 2].copy_from_slice(b",1");
            let mut scratch = [0u8; crate::line::CAPACITY];
            if let Ok(cmd) = device::parse(&text[..line.len() + 2], &mut scratch) {
                device::dispatch(&cmd, self);
                return true;
            }
        }
        if (self.quirk(Quirk::Mode0IgnoresIndexes) || self.quirk(Quirk::Mode0AcceptsAnything))
            && is_set_of(line, b"AT+HTTPCFG")
            && field_count(line) > 1
        {
            let eq = b"AT+HTTPCFG=".len();
            let end = line[eq..]
                .iter()
                .position(|&b| b == b',')
                .map_or(line.len(), |p| eq + p);
            // Only the indexes the syntax has (at most two, each an integer of at least 0)
            // are ignored; anything else is refused as the first reading refuses it.
            let indexes = field_count(line) <= 3
                && line[end..].split(|&b| b == b',').skip(1).all(|f| {
                    let f = f.trim_ascii();
                    f.is_empty() || atspec_rt::int::parse(f, true).is_ok_and(|v| v >= 0)
                });
            let junk = self.quirk(Quirk::Mode0AcceptsAnything);
            if line[eq..end].trim_ascii() == b"0" && (indexes || junk) {
                let mut scratch = [0u8; crate::line::CAPACITY];
                if let Ok(cmd) = device::parse(&line[..end], &mut scratch) {
                    device::dispatch(&cmd, self);
                    return true;
                }
            }
        }
        let missing = matches!(r.kind, atspec_rt::RejectKind::ParseFailure { index }
            if usize::from(index) >= field_count(line));
        if self.quirk(Quirk::BareMissingIndex) && is_set_of(line, b"AT+HTTPCFG") && missing {
            self.out.put(r.result);
            return true;
        }
        false
    }

    /// An `ERR CODE` line, when SYSLOG is on and the spec assigns a code.
    fn error_code(&mut self, code: Option<u32>) {
        implements!(ErrcodeSyslogOnly, ErrcodeBeforeResult, ErrcodeFormat);
        if let (true, Some(c)) = (self.syslog, code) {
            respond::err_code_line(&mut self.out, c);
        }
    }

    fn reply(&mut self, r: Reply) {
        respond::reply(&mut self.out, r);
    }

    fn busy_chunk(&mut self, bytes: &[u8]) {
        if bytes.windows(8).any(|w| w == b"AT+RST\r\n") {
            implements!(BusyForceRestart);
            self.reply(Reply::ForceRestart);
            self.reset();
            self.reply(Reply::Ready);
            return;
        }
        implements!(BusyReject, BusyErrCode);
        self.error_code(Some(device::err_code::BUSY));
        self.reply(Reply::Busy);
    }

    /// Back to power-up state (AT+RST).
    fn reset(&mut self) {
        implements!(BaseRstClearsState);
        self.streaming = Streaming::None;
        self.txn.abort();
        self.line.clear();
        self.mode = Mode::Command;
        self.echo = !self.quirk(Quirk::EchoOffAtStart);
        self.syslog = false;
        self.url.clear();
        self.headers.clear();
        self.auth = Auth::default();
    }

    /// Whether an `n`-byte AT+HTTPCHEAD entry can be stored (`HTTPCHEAD.LENGTH.RANGE`); the
    /// `small-stores` and `tiny-stores` variants have smaller stores.
    fn can_store_header(&self, n: usize) -> bool {
        if self.quirk(Quirk::CheadAnyLength) {
            return true;
        }
        #[cfg(feature = "variants")]
        if self.quirk(Quirk::SmallStores) && n > crate::variant::SMALL_CHEAD {
            return false;
        }
        #[cfg(feature = "variants")]
        if self.quirk(Quirk::TinyStores) && n > crate::variant::TINY_CHEAD {
            return false;
        }
        self.headers.can_take(n)
    }

    fn start_data(&mut self, to: DataFor, need: usize) {
        implements!(ResultPromptBytes);
        self.reply(Reply::Prompt);
        self.mode = Mode::Data { to, need, got: 0 };
    }

    fn finish_data(&mut self, to: DataFor) {
        match to {
            DataFor::Url => {
                // Stored as given: whether it is a URL is decided when a command uses it.
                implements!(HttpurlcfgNotValidated, HttpUrlLongViaUrlcfg);
                if self.url.commit() {
                    implements!(HttpurlcfgPrompt, HttpurlcfgStoreReplace);
                    self.reply(Reply::SetOk);
                } else {
                    implements!(HttpurlcfgNul);
                    self.reply(Reply::Error);
                }
            }
            DataFor::Body => self.body_complete(),
            DataFor::Header => match self
                .headers
                .commit(!self.quirk(Quirk::CheadDuplicates) && !self.behaviour().chead_appends)
            {
                Ok(()) => {
                    implements!(HttpcheadStoreVerbatim, HttpcheadStoreReplaceSameName);
                    self.reply(Reply::Ok);
                }
                Err(_) => {
                    implements!(HttpcheadNeedColon);
                    self.reply(Reply::Error);
                }
            },
        }
    }
}
