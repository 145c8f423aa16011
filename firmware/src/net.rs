//! The network side of the engine: one HTTP transaction at a time.
//!
//! The board runs the sockets. It takes [`Action`]s from [`Engine::poll_action`] (connect,
//! close), sends what [`Engine::poll_net_transmit`] gives it, and reports back with
//! [`Engine::handle_connected`], [`Engine::handle_received`] (which says how many bytes it
//! took, so output backpressure reaches the socket), [`Engine::handle_closed`],
//! [`Engine::handle_net_error`] and [`Engine::handle_time`]. By default redirects are not
//! followed (`HTTPCLIENT.REDIRECT.NOT_FOLLOWED`, `HTTP.REDIRECT.NOT_FOLLOWED`): a 3xx is a
//! response like any other. Under ESP-AT profiles (`follows_redirects`) AT+HTTPCGET, CPOST and
//! CPUT follow one by rewriting the request still held in the tx buffer; a POST/PUT whose
//! head and body together outgrew that buffer cannot be sent again, and its redirect is then
//! not followed (a documented limit: the engine streams bodies and stores none).

use atspec_rt::ByteSink;

use crate::device::{self, Clause, Reply, err_code, limits, respond};
use crate::engine::{DataFor, Engine, Mode, RESERVE, Streaming};
use crate::http::{self, ChunkedDecoder, Fill, HeaderList, Step};
use crate::store::{Auth, HeaderStore, UrlStore};

/// Longest AT+HTTPCPOST/PUT length the engine takes. The seed bounds the length by "the
/// system allocable heap size"; the engine streams the body and stores none of it, so this is
/// the heap a small module would have, declared here so a device profile can state it
/// (`HTTPCSEND.LENGTH.RANGE`: longer lengths are refused before the prompt).
pub const SEND_LENGTH_MAX: u32 = 1 << 20;

/// Longest host name the engine connects to.
pub const MAX_HOST: usize = 255;
/// Most response headers `httparse` is given room for; more fails the command.
pub const MAX_RESPONSE_HEADERS: usize = 48;
/// The User-Agent every request carries (`HTTP.REQUEST.USER_AGENT`), as the spec states it.
pub const USER_AGENT: &[u8] = limits::USER_AGENT.as_bytes();
/// The default tx/rx size and network timeout (a size or timeout of 0 means these).
const DEFAULT_BUFFER: usize = limits::BUFFER_SIZE_DEFAULT as usize;
const DEFAULT_TIMEOUT_MS: u64 = limits::TIMEOUT_MS_DEFAULT as u64;
/// Redirects followed before the next one ends the command (reference §4.6).
pub const MAX_REDIRECTS: u8 = 10;
/// Bytes a payload line adds around its data (`+HTTPCLIENT:` + length + `,` + CR LF).
const LINE_OVERHEAD: usize = 32;
/// While the UART is the bottleneck, wait until a piece at least this large fits rather than
/// printing slivers: framing overhead then stays near 2 % of the line.
const MIN_PIECE: usize = 768;

/// Which command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Connecting,
    /// Sending the request (and the body of AT+HTTPCPOST/PUT).
    Request,
    /// Reading the response head.
    Head,
    /// Reading the body.
    Body,
    /// The response is complete and the connection given up, but the command still prints
    /// lines it streams from state (a HEAD answer's header lines); its final result comes
    /// after the last of them. The network and the clock no longer concern it.
    Printing,
}

impl Phase {
    /// Whether the transaction still holds (or is opening) a connection.
    fn on_network(self) -> bool {
        matches!(
            self,
            Phase::Connecting | Phase::Request | Phase::Head | Phase::Body
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

/// Transaction state; the buffers are the request (`TX`) and the response head (`RX`).
#[derive(Debug)]
pub(crate) struct Net<const TX: usize, const RX: usize> {
    tx: [u8; TX],
    tx_start: usize,
    tx_end: usize,
    rx: [u8; RX],
    rx_len: usize,
    host: [u8; MAX_HOST],
    host_len: usize,
    port: u16,
    tls: Option<Tls>,
    connect_pending: bool,
    close_pending: bool,
    connected: bool,
    kind: Kind,
    phase: Phase,
    framing: Framing,
    status: u16,
    piece: usize,
    timeout_ms: u64,
    now: u64,
    deadline: u64,
    body_to_send: u64,
    failed: bool,
    /// `tx[..tx_end]` is the whole request (head and body), so a redirect can send it again.
    held: bool,
    /// Redirects followed by this command.
    hops: u8,
}

impl<const TX: usize, const RX: usize> Default for Net<TX, RX> {
    fn default() -> Self {
        Net {
            tx: [0; TX],
            tx_start: 0,
            tx_end: 0,
            rx: [0; RX],
            rx_len: 0,
            host: [0; MAX_HOST],
            host_len: 0,
            port: 0,
            tls: None,
            connect_pending: false,
            close_pending: false,
            connected: false,
            kind: Kind::CGet,
            phase: Phase::Idle,
            framing: Framing::None,
            status: 0,
            piece: DEFAULT_BUFFER,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            now: 0,
            deadline: 0,
            body_to_send: 0,
            failed: false,
            held: false,
            hops: 0,
        }
    }
}

impl<const TX: usize, const RX: usize> Net<TX, RX> {
    /// Sets up a transaction: the request in the tx buffer and a pending connect. `false` when
    /// the request cannot be sent (the network-failure path).
    fn begin(
        &mut self,
        kind: Kind,
        stored: &HeaderStore,
        auth: Auth,
        req: &Request<'_>,
        limits: Limits,
    ) -> bool {
        self.kind = kind;
        if !req.known_scheme {
            // The network-failure path without a transaction; the kind is already set, so the
            // failure is answered as the command that ran.
            return false;
        }
        self.piece = limits.piece;
        self.timeout_ms = limits.timeout;
        self.status = 0;
        self.framing = Framing::None;
        self.failed = false;
        self.rx_len = 0;
        self.hops = 0;
        let ok = prepare(self, stored, auth, req, limits.tx);
        self.held = ok;
        self.phase = Phase::Connecting;
        self.progress();
        self.connect_pending = ok;
        ok
    }

    /// Drops any transaction (AT+RST).
    pub(crate) fn abort(&mut self) {
        if self.phase.on_network() || self.connected {
            self.close_pending = true;
        }
        self.phase = Phase::Idle;
        self.failed = false;
        self.body_to_send = 0;
    }

    fn progress(&mut self) {
        self.deadline = self.now + self.timeout_ms;
    }
}

/// Buffer sizes and timeout of one transaction.
#[derive(Debug, Clone, Copy)]
struct Limits {
    tx: usize,
    piece: usize,
    timeout: u64,
}

/// The build-time sizes of commands without size parameters (`HTTP.BUFFER.FIXED`).
const FIXED: Limits = Limits {
    tx: limits::FIXED_BUFFERS_DEFAULT as usize,
    piece: limits::FIXED_BUFFERS_DEFAULT as usize,
    timeout: limits::FIXED_TIMEOUT_DEFAULT as u64,
};

/// How starting a command went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// No usable target: ERROR before anything else.
    Refused,
    /// A connection is pending.
    Running,
    /// The request cannot be sent: the command takes its network-failure path.
    Failed,
}

impl From<bool> for Start {
    fn from(ok: bool) -> Start {
        if ok { Start::Running } else { Start::Failed }
    }
}

/// The URL parameter when not empty, else the stored URL. `empty_falls_back` is false only
/// for the `urlcfg-empty-ignored` test mutant (a written `""` then resolves to nothing).
fn target<'a>(
    param: Option<&'a [u8]>,
    stored: &'a UrlStore,
    empty_falls_back: bool,
) -> Option<&'a [u8]> {
    match param {
        Some(u) if !u.is_empty() => Some(u),
        Some(_) if !empty_falls_back => None,
        _ => stored.get(),
    }
}

/// Everything a request needs, resolved from the command and the global state.
struct Request<'a> {
    /// Whether the URL's scheme is http or https.
    known_scheme: bool,
    method: &'a [u8],
    user_agent: &'a [u8],
    tls: bool,
    host: &'a [u8],
    port: u16,
    target: &'a [u8],
    content_type: Option<&'a [u8]>,
    content_length: Option<u64>,
    extra: &'a [&'a [u8]],
    body: &'a [u8],
    /// Header fields in ESP-IDF order (the `idf-header-order` variant).
    idf_order: bool,
}

/// The TLS settings AT+HTTPCFG's mode gives a connection.
fn tls_settings(auth: Auth) -> Tls {
    Tls {
        verify_server: auth.mode & 2 != 0,
        client_cert: auth.mode & 1 != 0,
        pki: auth.pki,
        ca: auth.ca,
    }
}

/// The Host field's value in `buf`: the host, and `:port` unless it is the scheme's default.
/// `host` is at most [`MAX_HOST`] bytes.
fn host_text<'b>(buf: &'b mut [u8; MAX_HOST + 6], host: &[u8], port: u16, tls: bool) -> &'b [u8] {
    let h = host.len();
    buf[..h].copy_from_slice(host);
    if port == if tls { 443 } else { 80 } {
        return &buf[..h];
    }
    let mut port_text = [0u8; 6];
    let mut f = Fill::new(&mut port_text);
    atspec_rt::sink::put_decimal(&mut f, i64::from(port));
    let n = f.len;
    buf[h] = b':';
    buf[h + 1..h + 1 + n].copy_from_slice(&port_text[..n]);
    &buf[..h + 1 + n]
}

/// Rewrites the request in `tx[..len]` for a redirect: the request line's target becomes
/// `target` and, for another origin, the Host field's value `host`. Method, the other fields
/// and the body stay. The new length, or `None` when it does not fit.
fn retarget(tx: &mut [u8], len: usize, target: &[u8], host: Option<&[u8]>) -> Option<usize> {
    let line_end = tx[..len].windows(2).position(|w| w == b"\r\n")?;
    let start = tx[..line_end].iter().position(|&b| b == b' ')? + 1;
    let end = tx[..line_end].iter().rposition(|&b| b == b' ')?;
    let mut len = splice(tx, len, start..end, target)?;
    if let Some(host) = host {
        let head_end = tx[..len].windows(4).position(|w| w == b"\r\n\r\n")? + 2;
        let mut at = tx[..head_end].windows(2).position(|w| w == b"\r\n")? + 2;
        while at < head_end {
            let eol = at + tx[at..head_end].windows(2).position(|w| w == b"\r\n")?;
            let field = &tx[at..eol];
            if field.len() >= 5 && field[..5].eq_ignore_ascii_case(b"host:") {
                let value = at + 5 + field[5..].iter().take_while(|&&b| b == b' ').count();
                len = splice(tx, len, value..eol, host)?;
                break;
            }
            at = eol + 2;
        }
    }
    Some(len)
}

/// Replaces `buf[at]` (of the `len` bytes in use) with `with`; the new length, or `None`
/// when it does not fit.
fn splice(buf: &mut [u8], len: usize, at: core::ops::Range<usize>, with: &[u8]) -> Option<usize> {
    let new_len = len - at.len() + with.len();
    if new_len > buf.len() {
        return None;
    }
    buf.copy_within(at.end..len, at.start + with.len());
    buf[at.start..at.start + with.len()].copy_from_slice(with);
    Some(new_len)
}

/// Fills the tx buffer with the request head (and a small body) and records where to connect.
/// `false` when it does not fit `tx_limit` or the host is too long: the network-failure path.
fn prepare<const TX: usize, const RX: usize>(
    net: &mut Net<TX, RX>,
    stored: &HeaderStore,
    auth: Auth,
    req: &Request<'_>,
    tx_limit: usize,
) -> bool {
    implements!(HttpRequestLine, HttpRequestHost, HttpRequestUserAgent);
    implements!(
        HttpRequestContentLength,
        HttpRequestHeaderOrder,
        HttpRequestCheadApplied
    );
    if req.host.len() > MAX_HOST {
        return false;
    }
    net.host[..req.host.len()].copy_from_slice(req.host);
    net.host_len = req.host.len();
    net.port = req.port;
    net.tls = req.tls.then_some(tls_settings(auth));
    let mut host_value = [0u8; MAX_HOST + 6];
    let host_header = host_text(&mut host_value, req.host, req.port, req.tls);
    let mut length_text = [0u8; 20];
    let length = req.content_length.map(|len| {
        let mut f = Fill::new(&mut length_text);
        atspec_rt::sink::put_decimal(&mut f, len as i64);
        f.len
    });
    let length = length.map(|n| &length_text[..n]);
    let mut headers = HeaderList::default();
    // The order of fields with different names carries no meaning (RFC 9110 §5.3,
    // `HTTP.REQUEST.FIELD_ORDER`); only same-name replacement is a rule.
    implements!(HttpRequestFieldOrder);
    if req.idf_order {
        headers.set(b"User-Agent", req.user_agent);
        headers.set(b"Host", host_header);
    } else {
        headers.set(b"Host", host_header);
        headers.set(b"User-Agent", req.user_agent);
    }
    if let Some(ct) = req.content_type {
        headers.set(b"Content-Type", ct);
    }
    if let (Some(len), false) = (length, req.idf_order) {
        headers.set(b"Content-Length", len);
    }
    for h in req.extra {
        headers.set_line(h);
    }
    // Stored headers, newest to oldest: of two names differing only in case the older wins.
    implements!(HttpcheadApplyOrder);
    for h in stored.iter() {
        headers.set_line(h);
    }
    if let (Some(len), true) = (length, req.idf_order) {
        // IDF's `open()` sets it last, replacing a same-named field in place.
        headers.set(b"Content-Length", len);
    }
    let limit = tx_limit.min(TX);
    let mut f = Fill::new(&mut net.tx[..limit]);
    f.put(req.method);
    f.put(b" ");
    f.put(req.target);
    f.put(b" HTTP/1.1\r\n");
    headers.write(&mut f);
    f.put(b"\r\n");
    f.put(req.body);
    if f.overflow {
        implements!(HttpBufferTxHoldsRequestLine);
        return false;
    }
    net.tx_start = 0;
    net.tx_end = f.len;
    true
}

impl<const TX: usize, const RX: usize> Engine<TX, RX> {
    // ------------------------------------------------------------ board-facing API

    /// The next network action for the board.
    pub fn poll_action(&mut self) -> Option<Action<'_>> {
        let n = &mut self.net;
        if n.close_pending {
            n.close_pending = false;
            n.connected = false;
            return Some(Action::Close);
        }
        if n.connect_pending {
            n.connect_pending = false;
            return Some(Action::Connect {
                host: &n.host[..n.host_len],
                port: n.port,
                tls: n.tls,
            });
        }
        None
    }

    /// Request bytes for the socket; returns how many were written to `dst`.
    pub fn poll_net_transmit(&mut self, dst: &mut [u8]) -> usize {
        let n = &mut self.net;
        if n.phase != Phase::Request || !n.connected {
            return 0;
        }
        let k = (n.tx_end - n.tx_start).min(dst.len());
        dst[..k].copy_from_slice(&n.tx[n.tx_start..n.tx_start + k]);
        // Sent bytes stay in the buffer (a redirect may send them again); `body_bytes`
        // reuses the room once it needs it.
        n.tx_start += k;
        if k > 0 {
            n.progress();
        }
        let body_done = n.body_to_send == 0
            && !matches!(
                self.mode,
                Mode::Data {
                    to: DataFor::Body,
                    ..
                }
            );
        if n.tx_start == n.tx_end && body_done {
            n.phase = Phase::Head;
            n.rx_len = 0;
        }
        k
    }

    /// The connection is open.
    pub fn handle_connected(&mut self) {
        if self.net.phase == Phase::Connecting {
            self.net.connected = true;
            self.net.phase = Phase::Request;
            self.net.progress();
        }
    }

    /// Bytes from the socket; returns how many the engine took (the rest must be offered
    /// again after draining UART output).
    #[must_use = "bytes the engine did not take must be offered again"]
    pub fn handle_received(&mut self, bytes: &[u8]) -> usize {
        match self.net.phase {
            Phase::Idle | Phase::Printing => bytes.len(),
            // Like the firmware, the response is read only once the whole request (with the
            // POST/PUT body) has been sent; until then the board keeps the bytes.
            Phase::Connecting | Phase::Request => 0,
            Phase::Head => self.head_bytes(bytes),
            Phase::Body => self.body_received(bytes),
        }
    }

    /// The peer closed the connection.
    pub fn handle_closed(&mut self) {
        self.net.connected = false;
        match (self.net.phase, self.net.framing) {
            (Phase::Idle | Phase::Printing, _) => {}
            (Phase::Body, Framing::Close) => self.finish_body(),
            _ => {
                implements!(HttpResponseIncomplete);
                self.fail();
            }
        }
    }

    /// The connection failed (refused, reset, TLS handshake, DNS).
    pub fn handle_net_error(&mut self) {
        self.net.connected = false;
        if self.net.phase.on_network() {
            self.fail();
        }
    }

    /// The board's clock, in milliseconds; a transaction without progress for its network
    /// timeout fails (`HTTP.TIMEOUT.NETWORK`).
    pub fn handle_time(&mut self, now_ms: u64) {
        #[cfg(feature = "mutants")]
        if mutated!(self, DataTimeout2s) {
            self.data_timeout_mutant(now_ms);
        }
        self.net.now = now_ms;
        if matches!(self.mode, crate::engine::Mode::Data { .. }) {
            // While the host is still typing the body the device waits on the UART, not on
            // the network: a data phase has no timeout (`HTTPCSEND.DATA.NO_TIMEOUT`), and the
            // network timeout counts from the last data byte.
            implements!(HttpcsendDataNoTimeout);
            self.net.progress();
            return;
        }
        if self.net.phase.on_network() && now_ms >= self.net.deadline {
            implements!(HttpTimeoutNetwork);
            self.fail();
        }
    }

    /// The `data-timeout-2s` mutant: a data phase idle for 2 s is abandoned with ERROR.
    #[cfg(feature = "mutants")]
    fn data_timeout_mutant(&mut self, now_ms: u64) {
        use crate::engine::Mode;
        match self.mode {
            Mode::Data { got, .. } => {
                let (at, seen) = self.data_idle;
                if seen != got || at == 0 {
                    self.data_idle = (now_ms.max(1), got);
                } else if now_ms.saturating_sub(at) >= 2000 {
                    self.data_idle = (0, 0);
                    self.net.abort();
                    self.mode = Mode::Command;
                    self.reply(Reply::Error);
                }
            }
            _ => self.data_idle = (0, 0),
        }
    }

    /// When [`Engine::handle_time`] should be called next, if a transaction runs.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.net.phase.on_network().then_some(self.net.deadline)
    }

    // ------------------------------------------------------------ starting commands
    //
    // Each start function resolves the target inside a block that borrows the engine field by
    // field, so the request can point straight into the stored URL (no 8 KiB copy on the
    // stack); the block returns a [`Start`] verdict and the endings run after it.

    pub(crate) fn start_sized(
        &mut self,
        kind: Kind,
        url: Option<&[u8]>,
        (tx, rx, timeout): (i32, i32, i32),
    ) {
        implements!(
            HttpUrlFallbackUrlcfg,
            HttpBufferZeroIsDefault,
            HttpTimeoutZeroIsDefault
        );
        let empty_falls_back = !mutated!(self, UrlcfgEmptyIgnored);
        if kind == Kind::GetSize && mutated!(self, SilentGetsize) {
            // Busy forever: only a restart ends it.
            self.mode = crate::engine::Mode::Busy;
            return;
        }
        let method: &[u8] = if kind == Kind::GetSize && mutated!(self, GetsizeHead) {
            b"HEAD"
        } else {
            b"GET"
        };
        let user_agent = self.user_agent();
        let idf_order = varied!(self, IdfHeaderOrder);
        let size = |v: i32| if v <= 0 { DEFAULT_BUFFER } else { v as usize };
        let limits = Limits {
            tx: size(tx),
            piece: size(rx) + usize::from(mutated!(self, RxSizePlusOne)),
            timeout: if timeout <= 0 {
                if mutated!(self, TimeoutZeroOneSecond) {
                    1000
                } else {
                    DEFAULT_TIMEOUT_MS
                }
            } else {
                timeout as u64
            },
        };
        let start = {
            let Engine {
                url: stored,
                net,
                headers,
                auth,
                ..
            } = self;
            match target(url, stored, empty_falls_back).and_then(http::parse_url) {
                None => {
                    implements!(HttpUrlValid);
                    Start::Refused
                }
                Some(u) => {
                    implements!(HttpgetsizeMethodGet);
                    let req = Request {
                        known_scheme: u.known_scheme,
                        method,
                        user_agent,
                        tls: u.tls,
                        host: u.host,
                        port: u.port,
                        target: u.target,
                        content_type: None,
                        content_length: None,
                        extra: &[],
                        body: &[],
                        idf_order,
                    };
                    Start::from(net.begin(kind, headers, *auth, &req, limits))
                }
            }
        };
        self.started(start);
    }

    pub(crate) fn start_client(&mut self, cmd: &device::HttpClient<'_>) {
        use device::{HttpClientOpt as Opt, HttpClientTransportType as Transport};
        if matches!(cmd.opt, Opt::Other(_)) {
            implements!(HttpclientOptUnknown);
            self.error_code(Some(err_code::HTTP_CONNECT_FAILED));
            return self.reply(Reply::Error);
        }
        let empty = |v: Option<&[u8]>| v.is_none_or(<[u8]>::is_empty);
        let post = cmd.opt == Opt::Post;
        let body = if post {
            cmd.data.unwrap_or_default()
        } else {
            &[]
        };
        implements!(
            HttpclientContentTypeMap,
            HttpclientContentTypeAllMethods,
            HttpclientDataPostContentType
        );
        let content_type = match cmd.content_type {
            Some(ct) if mutated!(self, ContentTypeShift) => {
                device::HttpClientContentType::from_value((ct.value() + 1) % 4)
                    .map(|c| c.meaning().as_bytes())
            }
            Some(ct) => Some(ct.meaning().as_bytes()),
            None if post => Some(
                device::HttpClientContentType::FormUrlencoded
                    .meaning()
                    .as_bytes(),
            ),
            None => None,
        };
        implements!(HttpclientPutNoBody);
        let content_length = match cmd.opt {
            Opt::Post => Some(body.len() as u64),
            Opt::Put => Some(0),
            _ => None,
        };
        implements!(HttpBufferFixed);
        let head_as_get = cmd.opt == Opt::Head && mutated!(self, HeadAsGet);
        let user_agent = self.user_agent();
        let idf_order = varied!(self, IdfHeaderOrder);
        let start = {
            let Engine {
                url: stored,
                net,
                headers,
                auth,
                ..
            } = self;
            let transport_tls = cmd.transport_type_or_default() == Transport::Ssl;
            // url → host + path → stored URL (`HTTPCLIENT.URL.*`).
            let resolved = if !empty(cmd.url) {
                implements!(HttpclientUrlPrecedence);
                http::parse_url(cmd.url.unwrap_or_default())
                    .map(|u| (u.tls, u.host, u.port, u.target, u.known_scheme))
            } else if !empty(cmd.host) && !empty(cmd.path) {
                implements!(HttpclientUrlHostPath, HttpclientTransportHostPathScheme);
                let port = if transport_tls { 443 } else { 80 };
                Some((
                    transport_tls,
                    cmd.host.unwrap_or_default(),
                    port,
                    cmd.path.unwrap_or_default(),
                    true,
                ))
            } else if !empty(cmd.host) || !empty(cmd.path) {
                implements!(HttpclientUrlHostPathPartial);
                None
            } else {
                implements!(HttpclientUrlUrlcfg);
                stored
                    .get()
                    .and_then(http::parse_url)
                    .map(|u| (u.tls, u.host, u.port, u.target, u.known_scheme))
            };
            match resolved {
                None => Start::Refused,
                Some((tls, host, port, target, known)) => {
                    let req = Request {
                        known_scheme: known,
                        method: if head_as_get {
                            b"GET"
                        } else {
                            cmd.opt.meaning().as_bytes()
                        },
                        user_agent,
                        tls,
                        host,
                        port,
                        target,
                        content_type,
                        content_length,
                        extra: cmd.http_req_header.as_slice(),
                        body,
                        idf_order,
                    };
                    let kind = Kind::Client {
                        head: cmd.opt == Opt::Head && !head_as_get,
                    };
                    Start::from(net.begin(kind, headers, *auth, &req, FIXED))
                }
            }
        };
        self.started(start);
    }

    pub(crate) fn start_send(
        &mut self,
        put: bool,
        url: Option<&[u8]>,
        length: i32,
        extra: &[&[u8]],
    ) {
        implements!(
            HttpcsendContentTypeDefault,
            HttpcputContentTypeDefault,
            HttpcsendContentTypeHeader
        );
        let empty_falls_back = !mutated!(self, UrlcfgEmptyIgnored);
        let user_agent = self.user_agent();
        let idf_order = varied!(self, IdfHeaderOrder);
        let start = {
            let Engine {
                url: stored,
                net,
                headers,
                auth,
                ..
            } = self;
            match target(url, stored, empty_falls_back).and_then(http::parse_url) {
                None => Start::Refused,
                Some(u) => {
                    let req = Request {
                        known_scheme: u.known_scheme,
                        method: if put { b"PUT" } else { b"POST" },
                        user_agent,
                        tls: u.tls,
                        host: u.host,
                        port: u.port,
                        target: u.target,
                        content_type: Some(
                            device::HttpClientContentType::FormUrlencoded
                                .meaning()
                                .as_bytes(),
                        ),
                        content_length: Some(length as u64),
                        extra,
                        body: &[],
                        idf_order,
                    };
                    Start::from(net.begin(Kind::Send { put }, headers, *auth, &req, FIXED))
                }
            }
        };
        if start == Start::Refused || length as u32 > self.send_length_max() {
            implements!(HttpcsendErrorBeforePrompt, HttpcsendLengthRange);
            self.net.phase = Phase::Idle;
            self.net.connect_pending = false;
            return self.reply(Reply::Error);
        }
        self.net.body_to_send = length as u64;
        self.net.failed = start == Start::Failed;
        if self.net.failed {
            // The data is still read, then the command ends with SEND FAIL.
            self.net.phase = Phase::Idle;
        }
        implements!(HttpcsendPrompt);
        self.start_data(DataFor::Body, length as usize);
    }

    /// Ends a start function of a command without a data phase.
    fn started(&mut self, start: Start) {
        match start {
            Start::Refused => self.reply(Reply::Error),
            Start::Running => self.mode = Mode::Busy,
            Start::Failed => {
                self.mode = Mode::Busy;
                self.fail();
            }
        }
    }

    /// Data-phase bytes of AT+HTTPCPOST/PUT: appended to the tx queue as far as it has room.
    pub(crate) fn body_bytes(&mut self, data: &[u8]) -> usize {
        let n = &mut self.net;
        if n.failed {
            n.body_to_send = n.body_to_send.saturating_sub(data.len() as u64);
            return data.len();
        }
        if n.tx_start == n.tx_end && TX - n.tx_end < data.len() {
            // All sent and the rest does not fit behind it: start over, and the request can
            // no longer be sent again.
            n.tx_start = 0;
            n.tx_end = 0;
            n.held = false;
        }
        let k = data.len().min(TX - n.tx_end);
        n.tx[n.tx_end..n.tx_end + k].copy_from_slice(&data[..k]);
        n.tx_end += k;
        n.body_to_send -= k as u64;
        k
    }

    /// The last data byte arrived.
    pub(crate) fn body_complete(&mut self) {
        self.mode = Mode::Busy;
        if self.net.failed || self.net.phase == Phase::Idle {
            self.net.failed = false;
            self.net.kind = Kind::Send { put: false };
            self.send_fail();
        }
    }

    // ------------------------------------------------------------ response

    fn head_bytes(&mut self, bytes: &[u8]) -> usize {
        for (i, &b) in bytes.iter().enumerate() {
            let n = &mut self.net;
            if n.rx_len == RX {
                // A header block larger than the buffer fails cleanly; the rest is discarded.
                self.fail();
                return bytes.len();
            }
            n.rx[n.rx_len] = b;
            n.rx_len += 1;
            if n.rx_len >= 4 && n.rx[n.rx_len - 4..n.rx_len] == *b"\r\n\r\n" {
                n.progress();
                self.head_complete();
                return i + 1;
            }
        }
        self.net.progress();
        bytes.len()
    }

    fn head_complete(&mut self) {
        let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
        let mut resp = httparse::Response::new(&mut slots);
        let parsed = resp.parse(&self.net.rx[..self.net.rx_len]);
        let Ok(httparse::Status::Complete(_)) = parsed else {
            return self.fail();
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
        let n = &mut self.net;
        n.status = status;
        n.phase = Phase::Body;
        match n.kind {
            Kind::GetSize => {
                implements!(
                    HttpgetsizeReport,
                    HttpgetsizeNoLengthZero,
                    HttpgetsizeStatusIgnored
                );
                let size = if chunked { 0 } else { length.unwrap_or(0) };
                respond::http_get_size_size(&mut self.out, size as i64);
                self.reply(Reply::Ok);
                self.end();
            }
            Kind::Client { head: true } => {
                // A HEAD response has no body whatever its Content-Length or
                // Transfer-Encoding say (RFC 9112 §6.3): it is complete now. The connection
                // is given up at once; the header lines are printed from the rx buffer, and
                // the final result waits for the last of them, however slowly the UART
                // drains and whatever the peer does meanwhile.
                implements!(HttpclientHeadHeaderLines, HttpclientHeadNoBody);
                n.phase = Phase::Printing;
                n.close_pending = n.connected;
                n.connected = false;
                self.streaming = Streaming::HeadLines { next: 0 };
            }
            _ => {
                implements!(HttpResponseChunked);
                n.framing = if matches!(status, 100..=199 | 204 | 304) {
                    Framing::None
                } else if chunked {
                    Framing::Chunked(ChunkedDecoder::default())
                } else if let Some(len) = length {
                    Framing::Length(len)
                } else {
                    Framing::Close
                };
                if matches!(n.framing, Framing::None | Framing::Length(0)) {
                    self.finish_body();
                }
            }
        }
    }

    /// Writes HEAD header line `i`; false when there is none.
    pub(crate) fn head_line(&mut self, i: usize) -> bool {
        let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
        let mut resp = httparse::Response::new(&mut slots);
        if resp.parse(&self.net.rx[..self.net.rx_len]).is_err() {
            return false;
        }
        let Some(h) = resp.headers.get(i) else {
            return false;
        };
        let len = h.name.len() + 2 + h.value.len();
        respond::http_client_header_head(&mut self.out, len);
        if self.behaviour().head_line_space {
            // Cores before v2.3 (`head_line_space`): the count still covers `Name: Value` only.
            self.out.put(b" ");
        }
        self.out.put(h.name.as_bytes());
        self.out.put(b": ");
        self.out.put(h.value);
        respond::http_client_header_tail(&mut self.out);
        true
    }

    /// How many body bytes fit one payload line now.
    fn piece_room(&self) -> usize {
        self.piece_size()
            .min(self.out.space().saturating_sub(RESERVE + LINE_OVERHEAD))
    }

    /// The largest body piece: the rx size (97 bytes for the `small-pieces` variant).
    fn piece_size(&self) -> usize {
        if varied!(self, SmallPieces) {
            self.net.piece.min(97)
        } else {
            self.net.piece
        }
    }

    fn payload(&mut self, data: &[u8]) {
        implements!(HttpResponsePayloadLine, HttpResponsePieces);
        match self.net.kind {
            Kind::Client { .. } => respond::http_client_body(&mut self.out, data),
            Kind::CGet => respond::http_c_get_body(&mut self.out, data),
            Kind::Send { put: false } => respond::http_c_post_body(&mut self.out, data),
            Kind::Send { put: true } => respond::http_c_put_body(&mut self.out, data),
            Kind::GetSize => {}
        }
    }

    fn body_received(&mut self, bytes: &[u8]) -> usize {
        let mut taken = 0;
        while taken < bytes.len() && self.net.phase == Phase::Body {
            let room = self.piece_room();
            let rest = &bytes[taken..];
            if room == 0 || room < rest.len().min(self.piece_size()).min(MIN_PIECE) {
                break;
            }
            match self.net.framing {
                Framing::Length(left) => {
                    let n = (left.min(rest.len() as u64) as usize).min(room);
                    if !(left == n as u64 && mutated!(self, DropLastPiece)) {
                        self.payload(&rest[..n]);
                    }
                    taken += n;
                    self.net.framing = Framing::Length(left - n as u64);
                    if left == n as u64 {
                        self.finish_body();
                    }
                }
                Framing::Close => {
                    let n = rest.len().min(room);
                    self.payload(&rest[..n]);
                    taken += n;
                }
                Framing::Chunked(mut dec) => {
                    let step = dec.step(&rest[..rest.len().min(room)]);
                    self.net.framing = Framing::Chunked(dec);
                    match step {
                        Step::Framing(n) => {
                            if mutated!(self, ChunkFramingLeak) {
                                self.payload(&rest[..n]);
                            }
                            taken += n
                        }
                        Step::Data(n) => {
                            self.payload(&rest[..n]);
                            taken += n;
                        }
                        Step::Invalid => {
                            self.fail();
                            return bytes.len();
                        }
                    }
                    if dec.done() {
                        self.finish_body();
                    }
                }
                Framing::None => return bytes.len(),
            }
        }
        if taken > 0 {
            self.net.progress();
        }
        if self.net.phase == Phase::Idle {
            bytes.len()
        } else {
            taken
        }
    }

    // ------------------------------------------------------------ endings

    /// The response is complete.
    pub(crate) fn finish_body(&mut self) {
        if self.redirect() {
            return;
        }
        let status = self.net.status;
        if status >= 400 {
            implements!(
                HttpStatusError,
                ErrcodeHttpStatus,
                HttpcsendStatusNotSendFail
            );
            if matches!(self.net.kind, Kind::Send { .. }) && mutated!(self, SendFailOnStatus) {
                return self.send_fail();
            }
            let code = if mutated!(self, StatusErrcodeFlat) {
                err_code::HTTP_CONNECT_FAILED
            } else {
                err_code::http_status(u32::from(status))
            };
            // Cores before v4.1 (`status_error_bare`) gave only AT+HTTPCLIENT the code.
            let bare = self.behaviour().status_error_bare
                && matches!(self.net.kind, Kind::CGet | Kind::Send { .. });
            if !bare {
                self.error_code(Some(code));
            }
            self.reply(Reply::Error);
        } else {
            implements!(
                HttpStatusBelow400,
                HttpRedirectNotFollowed,
                HttpclientRedirectNotFollowed
            );
            match self.net.kind {
                Kind::Send { .. } => {
                    implements!(HttpcsendSendOk);
                    self.reply(Reply::SendOk);
                }
                _ => self.reply(Reply::Ok),
            }
        }
        self.end();
    }

    /// The transaction failed before a complete response.
    pub(crate) fn fail(&mut self) {
        if matches!(
            self.mode,
            Mode::Data {
                to: DataFor::Body,
                ..
            }
        ) {
            // The data still has to be read; SEND FAIL comes after it.
            self.net.failed = true;
            self.net.phase = Phase::Idle;
            self.net.close_pending = self.net.connected;
            self.net.tx_start = 0;
            self.net.tx_end = 0;
            return;
        }
        match self.net.kind {
            Kind::Client { .. } => {
                implements!(HttpclientNetworkFailure, ErrcodeHttpConnectFailed);
                self.error_code(Some(err_code::HTTP_CONNECT_FAILED));
                self.reply(Reply::Error);
            }
            Kind::GetSize | Kind::CGet => {
                implements!(HttpgetsizeNetworkFailure, HttpcgetNetworkFailure);
                self.reply(Reply::Error);
            }
            Kind::Send { .. } => return self.send_fail(),
        }
        self.end();
    }

    /// Follows a redirect (`follows_redirects`): `true` when the command goes on with a new
    /// request, or has ended because it was one redirect too many.
    fn redirect(&mut self) -> bool {
        let as_get = mutated!(self, RedirectAsGet);
        let follows =
            self.behaviour().follows_redirects || varied!(self, FollowsRedirects) || as_get;
        let n = &self.net;
        if !follows
            || !matches!(n.kind, Kind::CGet | Kind::Send { .. })
            || !matches!(n.status, 301 | 302 | 303 | 307 | 308)
            || !n.held
        {
            return false;
        }
        let auth = self.auth;
        let n = &mut self.net;
        let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
        let mut resp = httparse::Response::new(&mut slots);
        if resp.parse(&n.rx[..n.rx_len]).is_err() {
            return false;
        }
        let Some(loc) = resp
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("location"))
            .map(|h| h.value.trim_ascii())
        else {
            // A 3xx without a Location ends as any status below 400.
            return false;
        };
        if n.hops == MAX_REDIRECTS {
            self.fail();
            return true;
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
            self.fail();
            return true;
        };
        let mut host_value = [0u8; MAX_HOST + 6];
        let host_field =
            origin.map(|(tls, host, port)| host_text(&mut host_value, host, port, tls));
        let mut rewritten = retarget(&mut n.tx, n.tx_end, target, host_field);
        if let (true, Some(len)) = (as_get, rewritten) {
            let method = n.tx.iter().position(|&b| b == b' ').unwrap_or(0);
            rewritten = splice(&mut n.tx, len, 0..method, b"GET");
        }
        let Some(len) = rewritten else {
            // The new request does not fit: the network-failure path.
            implements!(HttpBufferTxHoldsRequestLine);
            self.fail();
            return true;
        };
        if let Some((tls, host, port)) = origin {
            n.host[..host.len()].copy_from_slice(host);
            n.host_len = host.len();
            n.port = port;
            n.tls = tls.then_some(tls_settings(auth));
        }
        n.hops += 1;
        n.tx_start = 0;
        n.tx_end = len;
        n.rx_len = 0;
        n.status = 0;
        n.framing = Framing::None;
        n.close_pending = n.close_pending || n.connected;
        n.connected = false;
        n.connect_pending = true;
        n.phase = Phase::Connecting;
        n.progress();
        true
    }

    fn send_fail(&mut self) {
        implements!(HttpcsendSendFail);
        self.reply(Reply::SendFail);
        self.end();
    }

    /// The longest AT+HTTPCPOST/PUT length taken (lower for the `small-stores` variant).
    fn send_length_max(&self) -> u32 {
        #[cfg(feature = "variants")]
        if varied!(self, SmallStores) {
            return crate::variant::SMALL_SEND;
        }
        SEND_LENGTH_MAX
    }

    /// The User-Agent value (`HTTP.REQUEST.USER_AGENT`).
    fn user_agent(&self) -> &'static [u8] {
        if mutated!(self, UserAgent) {
            b"ESP32 HTTP Client/1.1"
        } else {
            USER_AGENT
        }
    }

    /// Back to command mode; the connection is closed (`HTTP.CONNECTION.PER_COMMAND`).
    fn end(&mut self) {
        // The final result was just queued; anything streamed (HEAD lines) is already out,
        // since `poll_transmit` ends a HEAD answer only after its last line.
        implements!(HttpConnectionPerCommand, ResultFinalLast);
        let n = &mut self.net;
        n.close_pending = n.close_pending || n.phase.on_network() || n.connected;
        n.phase = Phase::Idle;
        n.framing = Framing::None;
        n.tx_start = 0;
        n.tx_end = 0;
        if self.mode == Mode::Busy {
            self.mode = Mode::Command;
        }
    }
}
