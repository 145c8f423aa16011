//! The network side of one HTTP transaction: a sans-IO state machine that knows nothing of the
//! UART.
//!
//! `Transaction` owns the request (`TX`) and response-head (`RX`) buffers, the connection
//! state and one `Phase` with the data of that phase. The engine starts it with a
//! `Request`, feeds it what the board reports, lets it write payload lines through
//! `Payload`, and gets back an `Ending`, which the engine alone turns into the spec's
//! final result and ERR CODE.
//!
//! By default redirects are not followed (`HTTPCLIENT.REDIRECT.NOT_FOLLOWED`,
//! `HTTP.REDIRECT.NOT_FOLLOWED`): a 3xx is a response like any other. With
//! `Policy::follow_redirects` (ESP-AT profiles) AT+HTTPCGET, CPOST and CPUT follow one by
//! rewriting the request still held in the tx buffer; a POST/PUT whose head and body together
//! outgrew that buffer cannot be sent again, and its redirect is then not followed (a
//! documented limit: the engine streams bodies and stores none).

mod request;

pub use request::MAX_HOST;
pub(crate) use request::Request;

use crate::device::limits;
use crate::http::{self, ChunkStep, ChunkedDecoder};
use crate::quirk::{Quirk, Quirks};
use crate::store::{Auth, HeaderStore};

/// Longest AT+HTTPCPOST/PUT length the engine takes. The seed bounds the length by "the
/// system allocable heap size"; the engine streams the body and stores none of it, so this is
/// the heap a small module would have, declared here so a device profile can state it
/// (`HTTPCSEND.LENGTH.RANGE`: longer lengths are refused before the prompt).
pub const SEND_LENGTH_MAX: u32 = 1 << 20;

/// Most response headers `httparse` is given room for; more fails the command.
pub const MAX_RESPONSE_HEADERS: usize = 48;
/// The User-Agent every request carries (`HTTP.REQUEST.USER_AGENT`), as the spec states it.
pub const USER_AGENT: &[u8] = limits::USER_AGENT.as_bytes();
/// The default tx/rx size and network timeout (a size or timeout of 0 means these).
pub(crate) const DEFAULT_BUFFER: usize = limits::BUFFER_SIZE_DEFAULT as usize;
pub(crate) const DEFAULT_TIMEOUT_MS: u64 = limits::TIMEOUT_MS_DEFAULT as u64;
/// Redirects followed before the next one ends the command (the spec's `max_redirects`).
pub const MAX_REDIRECTS: u8 = limits::MAX_REDIRECTS_DEFAULT as u8;
/// While the UART is the bottleneck, wait until a piece at least this large fits rather than
/// printing slivers: framing overhead then stays near 2 % of the line.
const MIN_PIECE: usize = 768;

/// Which command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpCommand {
    /// AT+HTTPCLIENT; `head` for opt 1.
    Client {
        /// A HEAD request: header lines instead of a body.
        head: bool,
    },
    /// AT+HTTPGETSIZE.
    GetSize,
    /// AT+HTTPCGET.
    CGet,
    /// AT+HTTPCPOST (`put` false) or AT+HTTPCPUT.
    Send {
        /// AT+HTTPCPUT.
        put: bool,
    },
}

/// TLS settings handed to the board (from AT+HTTPCFG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tls {
    /// Verify the server's chain against CA `ca` (modes 2, 3).
    pub verify_server: bool,
    /// Present client certificate and key `pki` (modes 1, 3).
    pub client_cert: bool,
    /// Client certificate and key index.
    pub pki: u32,
    /// CA index.
    pub ca: u32,
}

/// What the board must do on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Open a connection (TLS when `tls` is set).
    Connect {
        /// Host name or address.
        host: &'a [u8],
        /// TCP port.
        port: u16,
        /// TLS settings for https.
        tls: Option<Tls>,
    },
    /// Close the connection.
    Close,
}

/// Buffer sizes and timeout of one transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Room for the request in the tx buffer.
    pub tx: usize,
    /// The largest body piece one payload line carries (the rx size).
    pub piece: usize,
    /// Network timeout in ms.
    pub timeout: u64,
}

/// The build-time sizes of commands without size parameters (`HTTP.BUFFER.FIXED`).
pub(crate) const FIXED: Limits = Limits {
    tx: limits::FIXED_BUFFERS_DEFAULT as usize,
    piece: limits::FIXED_BUFFERS_DEFAULT as usize,
    timeout: limits::FIXED_TIMEOUT_DEFAULT as u64,
};

/// Behaviours a transaction is told to have: what the profile chooses, and a test's quirks
/// of the network side (`redirect-as-get`, `drop-last-piece`, `chunk-framing-leak`,
/// `follows-307-only`; none without the test features).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Policy {
    /// Follow 3xx redirects of AT+HTTPCGET/CPOST/CPUT (`follows_redirects`).
    pub follow_redirects: bool,
    /// The engine's quirks.
    pub quirks: Quirks,
}

/// How a transaction ended: the engine answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// A complete response with this status (after any redirects followed).
    Response(u16),
    /// AT+HTTPGETSIZE: the size the response head states (0 without one).
    Size(u64),
    /// A HEAD response is in and the connection given up: its header lines are to be printed
    /// ([`Transaction::head_field`]), then the response answered ([`Transaction::status`]).
    HeadLines,
    /// No complete response: connection, timeout, framing, buffer or redirect failure.
    NoResponse,
}

/// Where body pieces go: payload lines in the UART output.
pub(crate) trait Payload {
    /// Body bytes one payload line can carry now.
    fn room(&self) -> usize;
    /// Writes one payload line of command `kind`.
    fn line(&mut self, kind: HttpCommand, data: &[u8]);
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Idle,
    Connecting,
    /// Sending the request (and the body of AT+HTTPCPOST/PUT).
    Request,
    /// Reading the response head into the rx buffer.
    Head,
    /// Reading the body.
    Body {
        status: u16,
        framing: Framing,
    },
    /// The response is complete and the connection given up, but the command still prints
    /// lines from the rx buffer (a HEAD answer's header lines); its final result comes after
    /// the last of them. The network and the clock no longer concern it.
    Printing {
        status: u16,
    },
    /// Failed while the host still sends the AT+HTTPCPOST/PUT body: the rest of the data is
    /// read and dropped, and the command ends with SEND FAIL after it.
    DiscardingBody,
}

impl Phase {
    /// Whether the transaction still holds (or is opening) a connection.
    fn on_network(self) -> bool {
        matches!(
            self,
            Phase::Connecting | Phase::Request | Phase::Head | Phase::Body { .. }
        )
    }
}

#[derive(Debug, Clone, Copy)]
enum Framing {
    None,
    Length(u64),
    Chunked(ChunkedDecoder),
    Close,
}

/// What the board has been asked to do with the socket, and what it reported.
#[derive(Debug, Clone, Copy, Default)]
struct Socket {
    connect_pending: bool,
    close_pending: bool,
    open: bool,
}

/// Where to connect.
#[derive(Debug, Clone, Copy)]
struct Peer {
    host: [u8; MAX_HOST],
    host_len: usize,
    port: u16,
    tls: Option<Tls>,
}

/// What a finished response leads to when redirects are followed.
enum Redirect {
    /// Not a redirect to follow: the response stands.
    No,
    /// A new request is under way.
    Following,
    /// One redirect too many, or a Location that cannot be used: the failure path.
    Unusable,
}

/// One HTTP transaction at a time: request out, response head and body in.
#[derive(Debug)]
pub(crate) struct Transaction<const TX: usize, const RX: usize> {
    kind: HttpCommand,
    phase: Phase,
    policy: Policy,
    limits: Limits,
    tx: [u8; TX],
    tx_start: usize,
    tx_end: usize,
    /// `tx[..tx_end]` is the whole request (head and body), so a redirect can send it again.
    held: bool,
    /// AT+HTTPCPOST/PUT body bytes the UART has still to deliver.
    body_to_send: u64,
    rx: [u8; RX],
    rx_len: usize,
    peer: Peer,
    /// The TLS settings of this command's https connections (AT+HTTPCFG when it started).
    tls: Tls,
    socket: Socket,
    now: u64,
    deadline: u64,
    /// Redirects followed by this command.
    hops: u8,
}

impl<const TX: usize, const RX: usize> Default for Transaction<TX, RX> {
    fn default() -> Self {
        Transaction {
            kind: HttpCommand::CGet,
            phase: Phase::Idle,
            policy: Policy::default(),
            limits: Limits {
                tx: TX,
                piece: DEFAULT_BUFFER,
                timeout: DEFAULT_TIMEOUT_MS,
            },
            tx: [0; TX],
            tx_start: 0,
            tx_end: 0,
            held: false,
            body_to_send: 0,
            rx: [0; RX],
            rx_len: 0,
            peer: Peer {
                host: [0; MAX_HOST],
                host_len: 0,
                port: 0,
                tls: None,
            },
            tls: tls_settings(Auth::default()),
            socket: Socket::default(),
            now: 0,
            deadline: 0,
            hops: 0,
        }
    }
}

/// The TLS settings AT+HTTPCFG's mode gives a connection.
fn tls_settings(auth: Auth) -> Tls {
    // The board verifies (or not) and presents (or not) what these say.
    implements!(
        HttpcfgVerifyModes01,
        HttpcfgVerifyModes23,
        HttpcfgClientCert
    );
    Tls {
        verify_server: auth.mode & 2 != 0,
        client_cert: auth.mode & 1 != 0,
        pki: auth.pki,
        ca: auth.ca,
    }
}

impl<const TX: usize, const RX: usize> Transaction<TX, RX> {
    // ------------------------------------------------------------ life cycle

    /// Starts a transaction: the request in the tx buffer and a pending connect. `false` when
    /// the request cannot be sent (unknown scheme, host too long, request larger than the tx
    /// size): the command then takes its network-failure path.
    pub(crate) fn begin(
        &mut self,
        kind: HttpCommand,
        policy: Policy,
        limits: Limits,
        stored: &HeaderStore,
        auth: Auth,
        req: &Request<'_>,
    ) -> bool {
        // The kind is set first, so a failure is answered as the command that ran.
        self.kind = kind;
        if !req.known_scheme {
            return false;
        }
        self.policy = policy;
        self.limits = limits;
        self.tls = tls_settings(auth);
        self.rx_len = 0;
        self.hops = 0;
        self.body_to_send = 0;
        self.phase = Phase::Connecting;
        self.progress();
        let ok = req.host.len() <= MAX_HOST && self.write_request(stored, req).is_some();
        if ok {
            self.peer.host[..req.host.len()].copy_from_slice(req.host);
            self.peer.host_len = req.host.len();
            self.peer.port = req.port;
            self.peer.tls = req.tls.then_some(self.tls);
        }
        self.held = ok;
        self.socket.connect_pending = ok;
        ok
    }

    fn write_request(&mut self, stored: &HeaderStore, req: &Request<'_>) -> Option<()> {
        let limit = self.limits.tx.min(TX);
        let len = req.write(stored, &mut self.tx[..limit])?;
        self.tx_start = 0;
        self.tx_end = len;
        Some(())
    }

    /// AT+HTTPCPOST/PUT: `length` body bytes follow from the UART.
    pub(crate) fn expect_body(&mut self, length: u64) {
        self.body_to_send = length;
    }

    /// Withdraws a transaction that was refused before its prompt (nothing was sent).
    pub(crate) fn withdraw(&mut self) {
        self.phase = Phase::Idle;
        self.socket.connect_pending = false;
    }

    /// The transaction failed while the host still sends the body: the connection is given
    /// up and the rest of the data dropped ([`Transaction::body_bytes`]).
    pub(crate) fn fail_during_data(&mut self) {
        self.phase = Phase::DiscardingBody;
        self.socket.close_pending = self.socket.open;
        self.tx_start = 0;
        self.tx_end = 0;
    }

    /// Whether the AT+HTTPCPOST/PUT body has nowhere to go: the command ends with SEND FAIL
    /// once it has been read.
    pub(crate) fn lost(&self) -> bool {
        matches!(self.phase, Phase::Idle | Phase::DiscardingBody)
    }

    /// The command has been answered: back to idle, the connection closed
    /// (`HTTP.CONNECTION.PER_COMMAND`).
    pub(crate) fn end(&mut self) {
        let s = &mut self.socket;
        s.close_pending = s.close_pending || self.phase.on_network() || s.open;
        self.phase = Phase::Idle;
        self.tx_start = 0;
        self.tx_end = 0;
    }

    /// Drops any transaction (AT+RST).
    pub(crate) fn abort(&mut self) {
        if self.phase.on_network() || self.socket.open {
            self.socket.close_pending = true;
        }
        self.phase = Phase::Idle;
        self.body_to_send = 0;
    }

    /// The command this transaction runs.
    pub(crate) fn kind(&self) -> HttpCommand {
        self.kind
    }

    /// The response status (0 before a head is in).
    pub(crate) fn status(&self) -> u16 {
        match self.phase {
            Phase::Body { status, .. } | Phase::Printing { status } => status,
            _ => 0,
        }
    }

    fn progress(&mut self) {
        self.deadline = self.now + self.limits.timeout;
    }

    // ------------------------------------------------------------ board events

    /// The next network action for the board.
    pub(crate) fn poll_action(&mut self) -> Option<Action<'_>> {
        let s = &mut self.socket;
        if s.close_pending {
            s.close_pending = false;
            s.open = false;
            return Some(Action::Close);
        }
        if s.connect_pending {
            s.connect_pending = false;
            let p = &self.peer;
            return Some(Action::Connect {
                host: &p.host[..p.host_len],
                port: p.port,
                tls: p.tls,
            });
        }
        None
    }

    /// Request bytes for the socket. `data_open`: the host is still sending the body, so the
    /// request is not complete even when the buffer is empty.
    pub(crate) fn transmit(&mut self, dst: &mut [u8], data_open: bool) -> usize {
        if !matches!(self.phase, Phase::Request) || !self.socket.open {
            return 0;
        }
        let k = (self.tx_end - self.tx_start).min(dst.len());
        dst[..k].copy_from_slice(&self.tx[self.tx_start..self.tx_start + k]);
        // Sent bytes stay in the buffer (a redirect may send them again); `body_bytes`
        // reuses the room once it needs it.
        self.tx_start += k;
        if k > 0 {
            self.progress();
        }
        if self.tx_start == self.tx_end && self.body_to_send == 0 && !data_open {
            self.phase = Phase::Head;
            self.rx_len = 0;
        }
        k
    }

    /// The connection is open.
    pub(crate) fn connected(&mut self) {
        if matches!(self.phase, Phase::Connecting) {
            self.socket.open = true;
            self.phase = Phase::Request;
            self.progress();
        }
    }

    /// Bytes from the socket: how many were taken (the board offers the rest again), and the
    /// ending when the command is over.
    pub(crate) fn receive(
        &mut self,
        bytes: &[u8],
        out: &mut impl Payload,
    ) -> (usize, Option<Ending>) {
        match self.phase {
            Phase::Idle | Phase::Printing { .. } | Phase::DiscardingBody => (bytes.len(), None),
            // Like the firmware, the response is read only once the whole request (with the
            // POST/PUT body) has been sent; until then the board keeps the bytes.
            Phase::Connecting | Phase::Request => (0, None),
            Phase::Head => self.head_bytes(bytes),
            Phase::Body { .. } => self.body_bytes_in(bytes, out),
        }
    }

    /// The peer closed the connection.
    pub(crate) fn closed(&mut self) -> Option<Ending> {
        self.socket.open = false;
        match self.phase {
            Phase::Idle | Phase::Printing { .. } | Phase::DiscardingBody => None,
            Phase::Body {
                framing: Framing::Close,
                ..
            } => self.finish(),
            _ => {
                implements!(HttpResponseIncomplete);
                Some(Ending::NoResponse)
            }
        }
    }

    /// The connection failed (refused, reset, TLS handshake, DNS).
    pub(crate) fn net_error(&mut self) -> Option<Ending> {
        self.socket.open = false;
        self.phase.on_network().then_some(Ending::NoResponse)
    }

    /// The clock: a transaction without progress for its network timeout fails
    /// (`HTTP.TIMEOUT.NETWORK`). While the host still types a body the device waits on the
    /// UART, so `waiting_for_data` restarts the timeout instead (`HTTPCSEND.DATA.NO_TIMEOUT`).
    pub(crate) fn tick(&mut self, now_ms: u64, waiting_for_data: bool) -> Option<Ending> {
        self.now = now_ms;
        if waiting_for_data {
            implements!(HttpcsendDataNoTimeout);
            self.progress();
            return None;
        }
        if self.phase.on_network() && now_ms >= self.deadline {
            implements!(HttpTimeoutNetwork);
            return Some(Ending::NoResponse);
        }
        None
    }

    /// When [`Transaction::tick`] should be called next, if a transaction runs.
    pub(crate) fn deadline(&self) -> Option<u64> {
        self.phase.on_network().then_some(self.deadline)
    }

    /// Data-phase bytes of AT+HTTPCPOST/PUT: appended to the tx queue as far as it has room.
    pub(crate) fn body_bytes(&mut self, data: &[u8]) -> usize {
        if matches!(self.phase, Phase::DiscardingBody) {
            self.body_to_send = self.body_to_send.saturating_sub(data.len() as u64);
            return data.len();
        }
        if self.tx_start == self.tx_end && TX - self.tx_end < data.len() {
            // All sent and the rest does not fit behind it: start over, and the request can
            // no longer be sent again.
            self.tx_start = 0;
            self.tx_end = 0;
            self.held = false;
        }
        let k = data.len().min(TX - self.tx_end);
        self.tx[self.tx_end..self.tx_end + k].copy_from_slice(&data[..k]);
        self.tx_end += k;
        self.body_to_send -= k as u64;
        k
    }

    // ------------------------------------------------------------ response

    fn head_bytes(&mut self, bytes: &[u8]) -> (usize, Option<Ending>) {
        for (i, &b) in bytes.iter().enumerate() {
            if self.rx_len == RX {
                // A header block larger than the buffer fails cleanly; the rest is discarded.
                return (bytes.len(), Some(Ending::NoResponse));
            }
            self.rx[self.rx_len] = b;
            self.rx_len += 1;
            if self.rx_len >= 4 && self.rx[self.rx_len - 4..self.rx_len] == *b"\r\n\r\n" {
                self.progress();
                return (i + 1, self.head_complete());
            }
        }
        self.progress();
        (bytes.len(), None)
    }

    fn head_complete(&mut self) -> Option<Ending> {
        let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
        let mut resp = httparse::Response::new(&mut slots);
        let parsed = resp.parse(&self.rx[..self.rx_len]);
        let Ok(httparse::Status::Complete(_)) = parsed else {
            return Some(Ending::NoResponse);
        };
        let status = resp.code.unwrap_or(0);
        let mut length = None;
        let mut chunked = false;
        for h in resp.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                length = core::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok());
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = h
                    .value
                    .windows(7)
                    .any(|w| w.eq_ignore_ascii_case(b"chunked"));
            }
        }
        match self.kind {
            HttpCommand::GetSize => {
                implements!(
                    HttpgetsizeReport,
                    HttpgetsizeNoLengthZero,
                    HttpgetsizeStatusIgnored
                );
                self.phase = Phase::Body {
                    status,
                    framing: Framing::None,
                };
                Some(Ending::Size(if chunked { 0 } else { length.unwrap_or(0) }))
            }
            HttpCommand::Client { head: true } => {
                // A HEAD response has no body whatever its Content-Length or
                // Transfer-Encoding say (RFC 9112 §6.3): it is complete now. The connection
                // is given up at once; the header lines are printed from the rx buffer, and
                // the final result waits for the last of them, however slowly the UART
                // drains and whatever the peer does meanwhile.
                implements!(HttpclientHeadHeaderLines, HttpclientHeadNoBody);
                self.phase = Phase::Printing { status };
                self.socket.close_pending = self.socket.open;
                self.socket.open = false;
                Some(Ending::HeadLines)
            }
            _ => {
                implements!(HttpResponseChunked);
                let framing = if matches!(status, 100..=199 | 204 | 304) {
                    Framing::None
                } else if chunked {
                    Framing::Chunked(ChunkedDecoder::default())
                } else if let Some(len) = length {
                    Framing::Length(len)
                } else {
                    Framing::Close
                };
                self.phase = Phase::Body { status, framing };
                if matches!(framing, Framing::None | Framing::Length(0)) {
                    return self.finish();
                }
                None
            }
        }
    }

    /// Header field `i` of the response head: name and value.
    pub(crate) fn head_field(&self, i: usize) -> Option<(&str, &[u8])> {
        let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
        let mut resp = httparse::Response::new(&mut slots);
        resp.parse(&self.rx[..self.rx_len]).ok()?;
        resp.headers.get(i).map(|h| (h.name, h.value))
    }

    fn body_bytes_in(&mut self, bytes: &[u8], out: &mut impl Payload) -> (usize, Option<Ending>) {
        let piece = self.limits.piece;
        let mut taken = 0;
        while taken < bytes.len() {
            let Phase::Body { status, framing } = self.phase else {
                break;
            };
            let room = piece.min(out.room());
            let rest = &bytes[taken..];
            if room == 0 || room < rest.len().min(piece).min(MIN_PIECE) {
                break;
            }
            let body = |framing| Phase::Body { status, framing };
            let mut done = false;
            match framing {
                Framing::Length(left) => {
                    let n = (left.min(rest.len() as u64) as usize).min(room);
                    if !(left == n as u64 && self.policy.quirks.has(Quirk::DropLastPiece)) {
                        out.line(self.kind, &rest[..n]);
                    }
                    taken += n;
                    self.phase = body(Framing::Length(left - n as u64));
                    done = left == n as u64;
                }
                Framing::Close => {
                    let n = rest.len().min(room);
                    out.line(self.kind, &rest[..n]);
                    taken += n;
                }
                Framing::Chunked(mut dec) => {
                    let step = dec.step(&rest[..rest.len().min(room)]);
                    self.phase = body(Framing::Chunked(dec));
                    match step {
                        ChunkStep::Framing(n) => {
                            if self.policy.quirks.has(Quirk::ChunkFramingLeak) {
                                out.line(self.kind, &rest[..n]);
                            }
                            taken += n
                        }
                        ChunkStep::Data(n) => {
                            out.line(self.kind, &rest[..n]);
                            taken += n;
                        }
                        ChunkStep::Invalid => return (bytes.len(), Some(Ending::NoResponse)),
                    }
                    done = dec.done();
                }
                Framing::None => return (bytes.len(), None),
            }
            if done {
                if taken > 0 {
                    self.progress();
                }
                return match self.finish() {
                    // The command is over: whatever else the peer sent is dropped.
                    Some(ending) => (bytes.len(), Some(ending)),
                    None => (taken, None),
                };
            }
        }
        if taken > 0 {
            self.progress();
        }
        (taken, None)
    }

    // ------------------------------------------------------------ endings

    /// The response is complete: its ending, or `None` when a redirect is being followed.
    fn finish(&mut self) -> Option<Ending> {
        match self.redirect() {
            Redirect::No => Some(Ending::Response(self.status())),
            Redirect::Following => None,
            Redirect::Unusable => Some(Ending::NoResponse),
        }
    }

    /// Follows a redirect (`follows_redirects`) by rewriting the held request.
    fn redirect(&mut self) -> Redirect {
        let p = self.policy;
        let status = self.status();
        let follows = if p.quirks.has(Quirk::Follows307Only) {
            matches!(status, 307 | 308)
        } else {
            matches!(status, 301 | 302 | 303 | 307 | 308)
        };
        if !(p.follow_redirects
            || p.quirks.has(Quirk::RedirectAsGet)
            || p.quirks.has(Quirk::Follows307Only))
            || {
                implements!(HttpgetsizeRedirectNotFollowed);
                !matches!(self.kind, HttpCommand::CGet | HttpCommand::Send { .. })
            }
            || !follows
            || !self.held
        {
            return Redirect::No;
        }
        let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
        let mut resp = httparse::Response::new(&mut slots);
        if resp.parse(&self.rx[..self.rx_len]).is_err() {
            return Redirect::No;
        }
        let Some(loc) = resp
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("location"))
            .map(|h| h.value.trim_ascii())
        else {
            // A 3xx without a Location ends as any status below 400.
            return Redirect::No;
        };
        if self.hops == MAX_REDIRECTS {
            return Redirect::Unusable;
        }
        // An absolute path stays on the origin; otherwise the Location is a URL.
        let next = if loc.starts_with(b"/") {
            Some((None, loc))
        } else {
            http::parse_url(loc)
                .filter(|u| u.known_scheme && u.host.len() <= MAX_HOST)
                .map(|u| (Some((u.tls, u.host, u.port)), u.target))
        };
        let Some((origin, target)) = next else {
            return Redirect::Unusable;
        };
        let mut host_value = [0u8; MAX_HOST + 6];
        let host_field =
            origin.map(|(tls, host, port)| request::host_text(&mut host_value, host, port, tls));
        let mut rewritten = request::retarget(&mut self.tx, self.tx_end, target, host_field);
        if let (true, Some(len)) = (p.quirks.has(Quirk::RedirectAsGet), rewritten) {
            rewritten = request::remethod(&mut self.tx, len, b"GET");
        }
        let Some(len) = rewritten else {
            // The new request does not fit: the network-failure path.
            implements!(HttpBufferTxHoldsRequestLine);
            return Redirect::Unusable;
        };
        if let Some((tls, host, port)) = origin {
            self.peer.host[..host.len()].copy_from_slice(host);
            self.peer.host_len = host.len();
            self.peer.port = port;
            self.peer.tls = tls.then_some(self.tls);
        }
        self.hops += 1;
        self.tx_start = 0;
        self.tx_end = len;
        self.rx_len = 0;
        let s = &mut self.socket;
        s.close_pending = s.close_pending || s.open;
        s.open = false;
        s.connect_pending = true;
        self.phase = Phase::Connecting;
        self.progress();
        Redirect::Following
    }
}
