//! The HTTP transfer commands on the engine's side: starting one (one target resolution and
//! one request for all of them), printing what its transaction receives, and answering its
//! [`Ending`] with the spec's final result and ERR CODE. The transaction itself is
//! [`crate::net::Transaction`].

use atspec_rt::ByteSink;

use super::{DataFor, Engine, Mode, OUT_CAPACITY, RESERVE, Streaming};
use crate::device::{self, Reply, err_code, respond};
use crate::http::{self, Url};
use crate::net::{
    DEFAULT_BUFFER, DEFAULT_TIMEOUT_MS, Ending, FIXED, HttpCommand, Limits, Payload, Policy,
    Request, SEND_LENGTH_MAX, USER_AGENT,
};
use crate::out::Out;
use crate::quirk::Quirk;
use crate::store::UrlStore;

/// Bytes a payload line adds around its data (`+HTTPCLIENT:` + length + `,` + CR LF).
const LINE_OVERHEAD: usize = 32;

/// Where a command's request goes, as its parameters say.
#[derive(Debug, Clone, Copy)]
enum Given<'a> {
    /// A URL parameter (AT+HTTPGETSIZE, CGET, CPOST, CPUT): itself when not empty, else the
    /// stored URL (`HTTP.URL.FALLBACK_URLCFG`).
    Url(Option<&'a [u8]>),
    /// AT+HTTPCLIENT: the url, else host and path, else the stored URL (`HTTPCLIENT.URL.*`).
    Client {
        url: Option<&'a [u8]>,
        host: Option<&'a [u8]>,
        path: Option<&'a [u8]>,
        /// `transport_type` is SSL.
        tls: bool,
    },
}

/// What a command asks of its transaction, apart from where it goes.
#[derive(Debug, Clone, Copy)]
struct Ask<'a> {
    kind: HttpCommand,
    method: &'a [u8],
    content_type: Option<&'a [u8]>,
    content_length: Option<u64>,
    extra: &'a [&'a [u8]],
    body: &'a [u8],
    limits: Limits,
}

/// How starting a command went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// No usable target: ERROR before anything else.
    Refused,
    /// A connection is pending.
    Running,
    /// The request cannot be sent: the command takes its network-failure path.
    Unsendable,
}

/// The target a command's parameters and the stored URL give. `empty_falls_back` is false
/// only for the `urlcfg-empty-ignored` test mutant (a written `""` then resolves to nothing).
fn resolve<'a>(given: Given<'a>, stored: &'a UrlStore, empty_falls_back: bool) -> Option<Url<'a>> {
    let empty = |v: Option<&[u8]>| v.is_none_or(<[u8]>::is_empty);
    match given {
        Given::Url(Some(u)) if !u.is_empty() => http::parse_url(u),
        Given::Url(Some(_)) if !empty_falls_back => None,
        Given::Url(_) => stored.get().and_then(http::parse_url),
        Given::Client { url, .. } if !empty(url) => {
            implements!(HttpclientUrlPrecedence, HttpclientTransportUrlSchemeWins);
            http::parse_url(url.unwrap_or_default())
        }
        Given::Client {
            host: Some(host),
            path: Some(path),
            tls,
            ..
        } if !host.is_empty() && !path.is_empty() => {
            implements!(HttpclientUrlHostPath, HttpclientTransportHostPathScheme);
            Some(Url {
                tls,
                host,
                port: if tls { 443 } else { 80 },
                target: path,
                known_scheme: true,
            })
        }
        Given::Client { host, path, .. } if !empty(host) || !empty(path) => {
            implements!(HttpclientUrlHostPathPartial);
            None
        }
        Given::Client { .. } => {
            implements!(HttpclientUrlUrlcfg);
            stored.get().and_then(http::parse_url)
        }
    }
}

/// Payload lines into the output queue.
struct Lines<'a> {
    out: &'a mut Out<OUT_CAPACITY>,
}

impl Payload for Lines<'_> {
    fn room(&self) -> usize {
        self.out.space().saturating_sub(RESERVE + LINE_OVERHEAD)
    }

    fn line(&mut self, kind: HttpCommand, data: &[u8]) {
        implements!(
            HttpResponsePayloadLine,
            HttpResponsePieces,
            HttpclientBodyLines,
            HttpcgetBodyLines,
            HttpcsendBodyLines
        );
        match kind {
            HttpCommand::Client { .. } => respond::http_client_body(self.out, data),
            HttpCommand::CGet => respond::http_c_get_body(self.out, data),
            HttpCommand::Send { put: false } => respond::http_c_post_body(self.out, data),
            HttpCommand::Send { put: true } => respond::http_c_put_body(self.out, data),
            HttpCommand::GetSize => {}
        }
    }
}

impl<const TX: usize, const RX: usize> Engine<TX, RX> {
    // ------------------------------------------------------------ starting commands

    /// Resolves the target, builds the request and begins the transaction.
    fn start(&mut self, given: Given<'_>, ask: Ask<'_>) -> Start {
        let empty_falls_back = !self.quirk(Quirk::UrlcfgEmptyIgnored);
        let user_agent = self.user_agent();
        let version: &[u8] = if self.quirk(Quirk::Http10) {
            b"HTTP/1.0"
        } else {
            b"HTTP/1.1"
        };
        let stray: &[u8] = if self.quirk(Quirk::HeaderNoColon) {
            b"Connection close"
        } else {
            b""
        };
        let idf_order = self.quirk(Quirk::IdfHeaderOrder);
        let policy = self.policy();
        let mut limits = ask.limits;
        if self.quirk(Quirk::SmallPieces) {
            limits.piece = limits.piece.min(97);
        }
        // Borrowed field by field, so the request points straight into the stored URL (no
        // 8 KiB copy on the stack).
        let Engine {
            url: stored,
            txn,
            headers,
            auth,
            ..
        } = self;
        // One store for every command: what AT+HTTPURLCFG and AT+HTTPCHEAD set applies to all.
        implements!(HttpStateGlobal);
        let Some(u) = resolve(given, stored, empty_falls_back) else {
            implements!(HttpUrlValid);
            return Start::Refused;
        };
        let req = Request {
            known_scheme: u.known_scheme,
            method: ask.method,
            user_agent,
            tls: u.tls,
            host: u.host,
            port: u.port,
            target: u.target,
            content_type: ask.content_type,
            content_length: ask.content_length,
            extra: ask.extra,
            body: ask.body,
            idf_order,
            version,
            stray,
        };
        if txn.begin(ask.kind, policy, limits, headers, *auth, &req) {
            Start::Running
        } else {
            Start::Unsendable
        }
    }

    /// What the profile (and a test's quirks) ask of the network side.
    fn policy(&self) -> Policy {
        Policy {
            follow_redirects: self.behaviour().follows_redirects,
            quirks: self.quirks,
        }
    }

    /// AT+HTTPGETSIZE and AT+HTTPCGET: a GET with the given sizes and timeout.
    pub(super) fn start_sized(
        &mut self,
        kind: HttpCommand,
        url: Option<&[u8]>,
        (tx, rx, timeout): (i32, i32, i32),
    ) {
        implements!(
            HttpUrlFallbackUrlcfg,
            HttpBufferZeroIsDefault,
            HttpTimeoutZeroIsDefault,
            HttpgetsizeMethodGet
        );
        if kind == HttpCommand::GetSize && self.quirk(Quirk::SilentGetsize) {
            // Busy forever: only a restart ends it.
            self.mode = Mode::Busy;
            return;
        }
        let method: &[u8] = if kind == HttpCommand::GetSize && self.quirk(Quirk::GetsizeHead) {
            b"HEAD"
        } else {
            b"GET"
        };
        implements!(HttpBufferTxSize, HttpBufferRxSize, HttpTimeoutParam);
        let size = |v: i32| if v <= 0 { DEFAULT_BUFFER } else { v as usize };
        let limits = Limits {
            tx: size(tx),
            piece: size(rx) + usize::from(self.quirk(Quirk::RxSizePlusOne)),
            timeout: if timeout <= 0 {
                if self.quirk(Quirk::TimeoutZeroOneSecond) {
                    1000
                } else {
                    DEFAULT_TIMEOUT_MS
                }
            } else if self.quirk(Quirk::TimeoutFloor1s) {
                (timeout as u64).max(1000)
            } else {
                timeout as u64
            },
        };
        let ask = Ask {
            kind,
            method,
            content_type: None,
            content_length: None,
            extra: &[],
            body: &[],
            limits,
        };
        let start = self.start(Given::Url(url), ask);
        self.started(start);
    }

    /// AT+HTTPCLIENT: method, content type and data from its parameters; fixed buffers.
    pub(super) fn start_client(&mut self, cmd: &device::HttpClient<'_>) {
        use device::{HttpClientOpt as Opt, HttpClientTransportType as Transport};
        let given = Given::Client {
            url: cmd.url,
            host: cmd.host,
            path: cmd.path,
            tls: {
                implements!(HttpclientTransportDefault);
                cmd.transport_type_or_default() == Transport::Ssl
            },
        };
        if matches!(cmd.opt, Opt::Other(_)) {
            // Two faults, no order stated: this engine answers the opt's, a variant the URL's.
            implements!(HttpclientOptUnknown, FramingFaultsEither);
            if self.quirk(Quirk::UrlFirst) && resolve(given, &self.url, true).is_none() {
                return self.reply(Reply::Error);
            }
            self.error_code(Some(err_code::HTTP_CONNECT_FAILED));
            return self.reply(Reply::Error);
        }
        implements!(HttpclientOptMethod, HttpclientDataPostOnly);
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
            Some(ct) if self.quirk(Quirk::ContentTypeShift) => {
                device::HttpClientContentType::from_value((ct.value() + 1) % 4)
                    .map(|c| c.meaning().as_bytes())
            }
            Some(ct) => Some(ct.meaning().as_bytes()),
            None if post => Some(
                device::HttpClientContentType::FormUrlencoded
                    .meaning()
                    .as_bytes(),
            ),
            None => {
                implements!(HttpclientContentTypeOmitted);
                None
            }
        };
        implements!(HttpclientPutNoBody);
        let content_length = match cmd.opt {
            Opt::Post => Some(body.len() as u64),
            Opt::Put => Some(0),
            _ => None,
        };
        implements!(HttpBufferFixed);
        let head_as_get = cmd.opt == Opt::Head && self.quirk(Quirk::HeadAsGet);
        let ask = Ask {
            kind: HttpCommand::Client {
                head: cmd.opt == Opt::Head && !head_as_get,
            },
            method: if head_as_get {
                b"GET"
            } else {
                cmd.opt.meaning().as_bytes()
            },
            content_type,
            content_length,
            extra: cmd.http_req_header.as_slice(),
            body,
            limits: FIXED,
        };
        let start = self.start(given, ask);
        self.started(start);
    }

    /// AT+HTTPCPOST and AT+HTTPCPUT: the head now, the body from the data phase.
    pub(super) fn start_send(
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
        // The headers are exactly the ones written (header_cnt was checked by the parser).
        implements!(HttpcsendMethod, HttpcsendHeaderCntGoverns);
        let ask = Ask {
            kind: HttpCommand::Send { put },
            method: if put { b"PUT" } else { b"POST" },
            content_type: Some(
                device::HttpClientContentType::FormUrlencoded
                    .meaning()
                    .as_bytes(),
            ),
            content_length: Some(length as u64),
            extra,
            body: &[],
            limits: FIXED,
        };
        let start = self.start(Given::Url(url), ask);
        if start == Start::Refused || length as u32 > self.send_length_max() {
            implements!(HttpcsendErrorBeforePrompt, HttpcsendLengthRange);
            self.txn.withdraw();
            return self.reply(Reply::Error);
        }
        self.txn.expect_body(length as u64);
        if start == Start::Unsendable {
            // The data is still read, then the command ends with SEND FAIL.
            self.txn.fail_during_data();
        }
        implements!(HttpcsendPrompt);
        self.start_data(DataFor::Body, length as usize);
    }

    /// Ends a start function of a command without a data phase.
    fn started(&mut self, start: Start) {
        match start {
            Start::Refused => self.reply(Reply::Error),
            Start::Running => self.mode = Mode::Busy,
            Start::Unsendable => {
                self.mode = Mode::Busy;
                self.conclude(Ending::NoResponse);
            }
        }
    }

    /// The last data byte arrived.
    pub(super) fn body_complete(&mut self) {
        self.mode = Mode::Busy;
        if self.txn.lost() {
            self.send_fail();
        }
    }

    // ------------------------------------------------------------ response

    /// Response bytes: payload lines into the output queue; the command is answered when its
    /// transaction ends.
    pub(super) fn received(&mut self, bytes: &[u8]) -> usize {
        let Engine { txn, out, .. } = self;
        let (taken, ending) = txn.receive(bytes, &mut Lines { out });
        if let Some(ending) = ending {
            self.conclude(ending);
        }
        taken
    }

    /// Writes HEAD header line `i`; false when there is none.
    pub(super) fn head_line(&mut self, i: usize) -> bool {
        let space = self.behaviour().head_line_space;
        let Engine { txn, out, .. } = self;
        let Some((name, value)) = txn.head_field(i) else {
            return false;
        };
        respond::http_client_header_head(out, name.len() + 2 + value.len());
        if space {
            // Cores before v2.3 (`head_line_space`): the count still covers `Name: Value` only.
            out.put(b" ");
        }
        out.put(name.as_bytes());
        out.put(b": ");
        out.put(value);
        respond::http_client_header_tail(out);
        true
    }

    // ------------------------------------------------------------ endings

    /// Answers a transaction's ending: the spec's final result and ERR CODE.
    pub(super) fn conclude(&mut self, ending: Ending) {
        match ending {
            Ending::HeadLines => self.streaming = Streaming::HeadLines { next: 0 },
            Ending::Size(size) => {
                respond::http_get_size_size(&mut self.out, size as i64);
                self.reply(Reply::Ok);
                self.end();
            }
            Ending::Response(status) => self.answer(status),
            Ending::NoResponse => self.fail(),
        }
    }

    /// A complete response with `status`.
    fn answer(&mut self, status: u16) {
        let kind = self.txn.kind();
        if status >= 400 {
            implements!(
                HttpStatusError,
                ErrcodeHttpStatus,
                HttpcsendStatusNotSendFail
            );
            if matches!(kind, HttpCommand::Send { .. }) && self.quirk(Quirk::SendFailOnStatus) {
                return self.send_fail();
            }
            let code = err_code::http_status(u32::from(status));
            // Cores before v4.1 (`status_error_bare`) gave only AT+HTTPCLIENT the code.
            let bare = self.behaviour().status_error_bare
                && matches!(kind, HttpCommand::CGet | HttpCommand::Send { .. });
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
            match kind {
                HttpCommand::Send { .. } => {
                    implements!(HttpcsendSendOk);
                    self.reply(Reply::SendOk);
                }
                _ => self.reply(Reply::Ok),
            }
        }
        self.end();
    }

    /// No complete response.
    fn fail(&mut self) {
        if matches!(
            self.mode,
            Mode::Data {
                to: DataFor::Body,
                ..
            }
        ) {
            // The data still has to be read; SEND FAIL comes after it.
            return self.txn.fail_during_data();
        }
        match self.txn.kind() {
            HttpCommand::Client { .. } => {
                implements!(HttpclientNetworkFailure, ErrcodeHttpConnectFailed);
                self.error_code(Some(err_code::HTTP_CONNECT_FAILED));
                self.reply(Reply::Error);
            }
            HttpCommand::GetSize | HttpCommand::CGet => {
                implements!(HttpgetsizeNetworkFailure, HttpcgetNetworkFailure);
                self.reply(Reply::Error);
            }
            HttpCommand::Send { .. } => return self.send_fail(),
        }
        self.end();
    }

    fn send_fail(&mut self) {
        implements!(HttpcsendSendFail);
        self.reply(Reply::SendFail);
        self.end();
    }

    /// Back to command mode; the connection is closed (`HTTP.CONNECTION.PER_COMMAND`).
    fn end(&mut self) {
        // The final result was just queued; anything streamed (HEAD lines) is already out,
        // since `poll_transmit` ends a HEAD answer only after its last line.
        implements!(HttpConnectionPerCommand, ResultFinalLast);
        self.txn.end();
        if self.mode == Mode::Busy {
            self.mode = Mode::Command;
        }
    }

    /// Whether `line` is an AT+HTTPCPOST/PUT set line whose URL field is a well-formed string
    /// (or empty) that resolves to no usable URL: AT+HTTPCPOST/PUT check the URL first
    /// (reference §2.4), so such a line is refused with a bare ERROR whatever its other fields
    /// hold. A line the parser cannot split, or whose URL field is malformed, is the parser's.
    pub(super) fn send_url_unusable(&self, line: &[u8]) -> bool {
        let Ok(h) = atspec_rt::head(line, crate::line::CAPACITY) else {
            return false;
        };
        let send = matches!(
            device::Name::lookup(h.name),
            Some(device::Name::HttpCPost | device::Name::HttpCPut)
        );
        if h.form != atspec_rt::Form::Set || !send {
            return false;
        }
        let mut buf = [0u8; crate::line::CAPACITY];
        let mut scratch = atspec_rt::Scratch::new(&mut buf);
        let (syntax, max) = (&device::SYNTAX, device::MAX_PARAMS);
        match atspec_rt::param::first_str(h.params, syntax, max, &device::ANSWERS, &mut scratch) {
            Some(url) => {
                let falls_back = !self.quirk(Quirk::UrlcfgEmptyIgnored);
                resolve(Given::Url(url), &self.url, falls_back).is_none()
            }
            None => false,
        }
    }

    /// The longest AT+HTTPCPOST/PUT length taken (lower for the `small-stores` and
    /// `tiny-stores` variants).
    fn send_length_max(&self) -> u32 {
        #[cfg(feature = "variants")]
        if self.quirk(Quirk::SmallStores) {
            return crate::variant::SMALL_SEND;
        }
        #[cfg(feature = "variants")]
        if self.quirk(Quirk::TinyStores) {
            return crate::variant::TINY_SEND;
        }
        SEND_LENGTH_MAX
    }

    /// The User-Agent value (`HTTP.REQUEST.USER_AGENT`).
    fn user_agent(&self) -> &'static [u8] {
        if self.quirk(Quirk::UserAgent11) {
            b"ESP32 HTTP Client/1.1"
        } else {
            USER_AGENT
        }
    }
}
