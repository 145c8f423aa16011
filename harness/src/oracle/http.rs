//! The HTTP half of the oracle: which request a command sends, and what it prints for the
//! answer the mock peer plays.

use super::url::{self, Target};
use super::{DataFor, Expect, Loose, Model, Running};
use crate::bytes::Bytes;
use crate::syntax::device::{Reply, err_code};
use crate::syntax::host;
use crate::world::scenario::{Fault, Framing, Scenario};
use crate::world::{HttpRequest, Server, TlsFront, World};

/// `HTTP.REQUEST.USER_AGENT`.
const USER_AGENT: &str = host::limits::USER_AGENT;
/// `HTTP.BUFFER.FIXED`: AT+HTTPCLIENT/CPOST/CPUT buffers and timeout.
const FIXED_BUFFER: usize = host::limits::FIXED_BUFFERS_DEFAULT as usize;
const FIXED_TIMEOUT_MS: u64 = host::limits::FIXED_TIMEOUT_DEFAULT as u64;
/// A size or timeout of 0 means these (`HTTP.BUFFER.ZERO_IS_DEFAULT`, `HTTP.TIMEOUT.ZERO_IS_DEFAULT`).
pub(super) const DEFAULT_BUFFER: usize = host::limits::BUFFER_SIZE_DEFAULT as usize;
const DEFAULT_TIMEOUT_MS: u64 = host::limits::TIMEOUT_MS_DEFAULT as u64;

/// Request headers with the device's `set` semantics: a later header replaces the value of an
/// earlier one with the same name (ASCII case-insensitive) in its place (`HTTP.REQUEST.HEADER_ORDER`).
#[derive(Debug, Default)]
struct Headers(Vec<(Vec<u8>, Vec<u8>)>);

impl Headers {
    fn set(&mut self, name: &[u8], value: &[u8]) {
        let value = trim(value).to_vec();
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_vec(), value)),
        }
    }

    /// `HTTP.REQUEST.HEADER_SPLIT`: split at the first colon, value trimmed.
    fn set_line(&mut self, line: &[u8]) {
        implements!(HttpRequestHeaderSplit);
        if let Some(c) = line.iter().position(|&b| b == b':') {
            self.set(trim(&line[..c]), &line[c + 1..]);
        }
    }
}

fn trim(v: &[u8]) -> &[u8] {
    let s = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let e = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &v[s..e]
}

/// Which command prints the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HttpCommand {
    Client { head: bool },
    GetSize,
    CGet,
    Send { put: bool },
}

impl HttpCommand {
    fn payload_name(self) -> &'static str {
        match self {
            HttpCommand::Client { .. } => "AT+HTTPCLIENT",
            HttpCommand::GetSize => "AT+HTTPGETSIZE",
            HttpCommand::CGet => "AT+HTTPCGET",
            HttpCommand::Send { put: false } => "AT+HTTPCPOST",
            HttpCommand::Send { put: true } => "AT+HTTPCPUT",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            HttpCommand::Client { .. } => "+HTTPCLIENT:",
            HttpCommand::GetSize => "+HTTPGETSIZE:",
            HttpCommand::CGet => "+HTTPCGET:",
            HttpCommand::Send { put: false } => "+HTTPCPOST:",
            HttpCommand::Send { put: true } => "+HTTPCPUT:",
        }
    }
}

/// A request prepared before a data phase (AT+HTTPCPOST/PUT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    kind: HttpCommand,
    target: Target,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// Whether the request can go out at all (known scheme, head fits the tx buffer).
    sendable: bool,
}

/// AT+HTTPGETSIZE or AT+HTTPCGET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sized {
    GetSize,
    CGet,
}

/// The URL parameter when not empty, else the stored URL (`HTTP.URL.FALLBACK_URLCFG`).
fn resolve<'m>(param: Option<&'m [u8]>, model: &'m Model) -> Option<&'m [u8]> {
    // The one stored URL, whichever command set it.
    implements!(HttpStateGlobal);
    implements!(HttpUrlFallbackUrlcfg);
    match param {
        Some(u) if !u.is_empty() => Some(u),
        _ => model.url.as_deref(),
    }
}

fn base_headers(t: &Target, ct: Option<&str>, len: Option<usize>) -> Headers {
    implements!(
        HttpRequestHost,
        HttpRequestUserAgent,
        HttpRequestContentLength
    );
    let mut h = Headers::default();
    h.set(b"Host", &host_field(t));
    h.set(b"User-Agent", USER_AGENT.as_bytes());
    if let Some(ct) = ct {
        h.set(b"Content-Type", ct.as_bytes());
    }
    if let Some(n) = len {
        h.set(b"Content-Length", n.to_string().as_bytes());
    }
    h
}

/// Per-command headers, then AT+HTTPCHEAD entries newest to oldest (`HTTP.REQUEST.HEADER_ORDER`,
/// `HTTP.REQUEST.CHEAD_APPLIED`, `HTTPCHEAD.APPLY_ORDER`).
fn add_headers(h: &mut Headers, extra: &[Vec<u8>], model: &Model) {
    implements!(
        HttpRequestHeaderOrder,
        HttpRequestCheadApplied,
        HttpcheadApplyOrder
    );
    for e in extra {
        h.set_line(e);
    }
    for e in &model.headers {
        h.set_line(e);
    }
}

fn head_bytes(method: &str, t: &Target, h: &Headers) -> usize {
    implements!(HttpRequestLine);
    let mut n = method.len() + 1 + t.path.len() + " HTTP/1.1\r\n".len();
    for (k, v) in &h.0 {
        n += k.len() + 2 + v.len() + 2;
    }
    n + 2
}

/// AT+HTTPCLIENT.
pub(super) fn client(
    model: &mut Model,
    c: &host::HttpClient,
    world: &World,
    x: &mut Expect,
) -> Option<Running> {
    use host::HttpClientOpt as Opt;
    let empty = |v: &Option<Vec<u8>>| v.as_ref().is_none_or(Vec::is_empty);
    // url → host + path → stored URL.
    let target = if !empty(&c.url) {
        implements!(HttpclientUrlPrecedence);
        url::read(c.url.as_deref().unwrap_or_default())
    } else if !empty(&c.host) && !empty(&c.path) {
        implements!(
            HttpclientUrlHostPath,
            HttpclientTransportHostPathScheme,
            HttpclientTransportDefault
        );
        let tls = c.transport_type_or_default() == host::HttpClientTransportType::Ssl;
        Some(Target {
            tls,
            known_scheme: true,
            host: c.host.clone().unwrap_or_default(),
            port: if tls { 443 } else { 80 },
            path: c.path.clone().unwrap_or_default(),
        })
    } else if !empty(&c.host) || !empty(&c.path) {
        implements!(HttpclientUrlHostPathPartial);
        None
    } else {
        implements!(HttpclientUrlUrlcfg, HttpclientTransportUrlSchemeWins);
        model.url.as_deref().and_then(url::read)
    };
    let method = match c.opt {
        Opt::Head => "HEAD",
        Opt::Get => "GET",
        Opt::Post => "POST",
        Opt::Put => "PUT",
        Opt::Delete => "DELETE",
        Opt::Other(_) => {
            implements!(HttpclientOptUnknown, FramingFaultsEither);
            if target.is_none() {
                // Two faults, and no source says which is checked first: the URL's answer (a
                // bare ERROR) passes too.
                let mut y = x.clone();
                y.output.extend_from_slice(Reply::Error.bytes());
                x.alternatives.push(super::Reading {
                    clause: "FRAMING.FAULTS.EITHER",
                    expect: y,
                    model: Box::new(model.clone()),
                });
            }
            model.err_code(Some(err_code::HTTP_CONNECT_FAILED), x);
            x.output.extend_from_slice(Reply::Error.bytes());
            return None;
        }
    };
    implements!(HttpclientOptMethod);
    let Some(target) = target else {
        implements!(HttpUrlValid);
        x.output.extend_from_slice(Reply::Error.bytes());
        return None;
    };
    implements!(HttpclientDataPostOnly);
    let post = c.opt == Opt::Post;
    let body = if post {
        c.data.clone().unwrap_or_default()
    } else {
        Vec::new()
    };
    implements!(
        HttpclientContentTypeMap,
        HttpclientContentTypeOmitted,
        HttpclientContentTypeAllMethods,
        HttpclientDataPostContentType
    );
    let ct = match c.content_type {
        Some(t) => Some(match t {
            host::HttpClientContentType::FormUrlencoded => "application/x-www-form-urlencoded",
            host::HttpClientContentType::Json => "application/json",
            host::HttpClientContentType::Multipart => "multipart/form-data",
            host::HttpClientContentType::TextXml => "text/xml",
        }),
        None if post => Some("application/x-www-form-urlencoded"),
        None => None,
    };
    implements!(HttpclientPutNoBody);
    let len = match c.opt {
        Opt::Post => Some(body.len()),
        Opt::Put => Some(0),
        _ => None,
    };
    let mut h = base_headers(&target, ct, len);
    add_headers(&mut h, &c.http_req_header, model);
    implements!(HttpclientHeadNoBody, HttpBufferFixed);
    let kind = HttpCommand::Client {
        head: c.opt == Opt::Head,
    };
    let fits = head_bytes(method, &target, &h) + body.len() <= FIXED_BUFFER;
    let t = Transaction {
        kind,
        method,
        target,
        headers: h,
        body: &body,
        sendable: fits,
        rx: FIXED_BUFFER,
        timeout_ms: FIXED_TIMEOUT_MS,
    };
    Some(transact(model, t, world, x))
}

/// Whether `line` is an AT+HTTPCPOST/PUT set line whose URL field is a well-formed string
/// (or empty) that resolves to no usable URL. The commands check the URL first (reference
/// §2.4): such a line is refused with a bare ERROR whatever its other fields hold; a line the
/// parser cannot split, or whose URL field is malformed, is left to the parser.
pub(super) fn send_url_unusable(model: &Model, line: &[u8]) -> bool {
    use crate::syntax::device;
    let Ok(h) = atspec_rt::head(line, device::LINE_BYTES - device::TERMINATOR.len()) else {
        return false;
    };
    let send = matches!(
        device::Name::lookup(h.name),
        Some(device::Name::HttpCPost | device::Name::HttpCPut)
    );
    if h.form != atspec_rt::Form::Set || !send {
        return false;
    }
    let mut buf = vec![0u8; line.len()];
    let mut scratch = atspec_rt::Scratch::new(&mut buf);
    let (syntax, max) = (&device::SYNTAX, device::MAX_PARAMS);
    atspec_rt::param::first_str(h.params, syntax, max, &device::ANSWERS, &mut scratch)
        .is_some_and(|url| resolve(url, model).and_then(url::read).is_none())
}

/// AT+HTTPGETSIZE and AT+HTTPCGET.
pub(super) fn sized(
    model: &mut Model,
    which: Sized,
    url_param: Option<&[u8]>,
    (tx, rx, timeout): (i32, i32, i32),
    world: &World,
    x: &mut Expect,
) -> Option<Running> {
    implements!(
        HttpBufferZeroIsDefault,
        HttpTimeoutZeroIsDefault,
        HttpgetsizeMethodGet,
        HttpBufferTxSize,
        HttpBufferRxSize,
        HttpTimeoutParam
    );
    let size = |v: i32| if v <= 0 { DEFAULT_BUFFER } else { v as usize };
    let timeout = if timeout <= 0 {
        DEFAULT_TIMEOUT_MS
    } else {
        timeout as u64
    };
    let Some(target) = resolve(url_param, model).and_then(url::read) else {
        implements!(HttpUrlValid);
        x.output.extend_from_slice(Reply::Error.bytes());
        return None;
    };
    let mut h = base_headers(&target, None, None);
    add_headers(&mut h, &[], model);
    let kind = match which {
        Sized::GetSize => HttpCommand::GetSize,
        Sized::CGet => HttpCommand::CGet,
    };
    implements!(HttpBufferTxHoldsRequestLine);
    let fits = head_bytes("GET", &target, &h) <= size(tx);
    x.rx_limit = size(rx);
    let t = Transaction {
        kind,
        method: "GET",
        target,
        headers: h,
        body: &[],
        sendable: fits,
        rx: size(rx),
        timeout_ms: timeout,
    };
    Some(transact(model, t, world, x))
}

/// AT+HTTPCPOST / AT+HTTPCPUT up to the prompt.
pub(super) fn send(
    model: &mut Model,
    put: bool,
    url_param: Option<&[u8]>,
    length: i32,
    extra: &[Vec<u8>],
    _world: &World,
    x: &mut Expect,
) {
    implements!(
        HttpcsendMethod,
        HttpcsendContentTypeDefault,
        HttpcputContentTypeDefault,
        HttpcsendContentTypeHeader
    );
    let Some(target) = resolve(url_param, model).and_then(url::read) else {
        implements!(HttpcsendErrorBeforePrompt, HttpUrlValid);
        x.output.extend_from_slice(Reply::Error.bytes());
        return;
    };
    if model.profile.refuses_send(length as u32) {
        // Longer than the device profile says it takes (or than any device can).
        implements!(HttpcsendLengthRange, HttpcsendErrorBeforePrompt);
        x.output.extend_from_slice(Reply::Error.bytes());
        return;
    }
    // The headers are exactly the ones written (header_cnt was checked by the parser); the
    // buffers are the fixed ones.
    implements!(HttpcsendHeaderCntGoverns, HttpBufferFixed);
    let method = if put { "PUT" } else { "POST" };
    let mut h = base_headers(
        &target,
        Some("application/x-www-form-urlencoded"),
        Some(length as usize),
    );
    add_headers(&mut h, extra, model);
    let sendable = target.known_scheme && head_bytes(method, &target, &h) <= FIXED_BUFFER;
    let pending = Pending {
        kind: HttpCommand::Send { put },
        target,
        headers: h.0,
        sendable,
    };
    model.prompt(DataFor::Body(Box::new(pending)), length as usize, x);
}

/// The data of AT+HTTPCPOST/PUT arrived: the request runs.
pub(super) fn finish_send(
    model: &mut Model,
    p: Pending,
    body: &[u8],
    world: &World,
    x: &mut Expect,
) -> Running {
    let method = if p.kind == (HttpCommand::Send { put: true }) {
        "PUT"
    } else {
        "POST"
    };
    let t = Transaction {
        kind: p.kind,
        method,
        target: p.target,
        headers: Headers(p.headers),
        body,
        sendable: p.sendable,
        rx: FIXED_BUFFER,
        timeout_ms: FIXED_TIMEOUT_MS,
    };
    transact(model, t, world, x)
}

/// What the response did.
struct Answer {
    /// The status line and headers arrived and parsed.
    head: bool,
    status: u16,
    head_lines: Vec<(String, String)>,
    /// Body bytes the device received.
    body: Vec<u8>,
    /// The body arrived complete.
    complete: bool,
}

fn answer(s: &Scenario, head_request: bool, timeout_ms: u64) -> Answer {
    let fail = Answer {
        head: false,
        status: 0,
        head_lines: Vec::new(),
        body: Vec::new(),
        complete: false,
    };
    if s.delay_ms >= timeout_ms || s.fault == Some(Fault::MalformedStatus) {
        implements!(HttpTimeoutNetwork);
        return fail;
    }
    let head_lines = s.head_lines(head_request);
    let mut a = Answer {
        head: true,
        status: s.status,
        head_lines,
        body: Vec::new(),
        complete: true,
    };
    if head_request || s.bodiless() {
        return a;
    }
    implements!(HttpResponseChunked, HttpResponseIncomplete);
    match s.fault {
        Some(Fault::StallAfter(k)) | Some(Fault::ResetAfter(k)) if k < s.body.0.len() => {
            a.body = s.body.0[..k].to_vec();
            a.complete = false;
        }
        _ => a.body = s.body.0.clone(),
    }
    a
}

/// One HTTP transaction a command asks the model for.
struct Transaction<'a> {
    kind: HttpCommand,
    method: &'a str,
    target: Target,
    headers: Headers,
    body: &'a [u8],
    /// The request fits the tx buffer (otherwise the command takes its failure path).
    sendable: bool,
    /// The rx buffer: the largest payload piece.
    rx: usize,
    timeout_ms: u64,
}

/// Runs a transaction in the model: the requests the peer records (one per redirect
/// followed) and what the device prints.
fn transact(model: &Model, t: Transaction<'_>, world: &World, x: &mut Expect) -> Running {
    implements!(HttpUrlSchemeTransport, HttpConnectionPerCommand);
    let Transaction {
        kind,
        method,
        mut target,
        mut headers,
        body,
        sendable,
        rx,
        timeout_ms,
    } = t;
    let mut out = Vec::new();
    x.merge = match kind {
        HttpCommand::Client { head: true } | HttpCommand::GetSize => None,
        k => Some(k.payload_name()),
    };
    if kind != HttpCommand::CGet && kind != HttpCommand::GetSize {
        x.rx_limit = rx;
    }
    // Whether the connection (and TLS handshake) succeeds.
    let server = world
        .server(&target.host, target.port)
        .filter(|s| sendable && reachable(model, *s, &target));
    let Some(mut server) = server else {
        failure(model, kind, &mut out);
        return Running { output: out };
    };
    // `follows_redirects`, or its reading under the contract (`HTTP.REDIRECT.NOT_FOLLOWED`).
    let follow = matches!(kind, HttpCommand::CGet | HttpCommand::Send { .. })
        && (model.follow || model.judge.behaviour.follows_redirects);
    let mut scenario = super::played_at(server, &world.scenario, &target.path);
    // Bodies of every response, in order: one merged payload (3xx bodies first).
    let mut printed = Vec::new();
    let mut hops = 0;
    let status = loop {
        record(x, server, method, &target, &headers, body);
        if matches!(scenario.fault, Some(Fault::HugeHeaders(_))) {
            // How large a header block a device reads is its own limit: only the result counts.
            x.loose = Some(Loose::AnyFinal);
        }
        if server == Server::Wiremock && kind == (HttpCommand::Client { head: true }) {
            // wiremock adds headers of its own (date): the lines are not predictable.
            x.loose = Some(Loose::AnyFinal);
        }
        let a = answer(&scenario, method == "HEAD", timeout_ms);
        if !a.head {
            return failed(model, kind, &printed, out);
        }
        if kind == HttpCommand::GetSize {
            return get_size(&scenario, out);
        }
        print_answer(model, kind, &a, &mut printed, &mut out);
        if !a.complete {
            return failed(model, kind, &printed, out);
        }
        let next = if follow {
            redirect(&scenario, &target)
        } else {
            None
        };
        let Some(next) = next else {
            break a.status;
        };
        // An 11th redirect, or a Location the device cannot reach, ends on the failure path.
        let reached = world
            .server(&next.host, next.port)
            .filter(|s| reachable(model, *s, &next));
        let Some(reached) = reached.filter(|_| hops < MAX_REDIRECTS) else {
            return failed(model, kind, &printed, out);
        };
        hops += 1;
        headers.set(b"Host", &host_field(&next));
        server = reached;
        scenario = super::played_at(server, &world.scenario, &next.path);
        target = next;
    };
    payload(kind, &printed, &mut out);
    final_result(model, kind, status, &mut out);
    Running { output: out }
}

/// Whether a device connects to `server` for `target`: a scheme it knows, plain HTTP to the
/// plain servers, and HTTPS to a TLS front whose handshake it completes.
fn reachable(model: &Model, server: Server, target: &Target) -> bool {
    target.known_scheme
        && match server {
            Server::Wiremock | Server::Raw => !target.tls,
            Server::Tls(front) => target.tls && handshake(model, front),
        }
}

/// The request the peer records (a TLS front relays to the raw server, which records it).
fn record(
    x: &mut Expect,
    server: Server,
    method: &str,
    target: &Target,
    headers: &Headers,
    body: &[u8],
) {
    let recorded_by = match server {
        Server::Tls(_) => Server::Raw,
        s => s,
    };
    x.requests.push(HttpRequest {
        server: recorded_by,
        method: method.into(),
        target: Bytes(target.path.clone()),
        headers: headers
            .0
            .iter()
            .map(|(k, v)| (Bytes(k.clone()), Bytes(v.clone())))
            .collect(),
        body: Bytes(body.to_vec()),
    });
}

/// AT+HTTPGETSIZE's answer: the size the response head states.
fn get_size(scenario: &Scenario, mut out: Vec<u8>) -> Running {
    implements!(
        HttpgetsizeReport,
        HttpgetsizeNoLengthZero,
        HttpgetsizeStatusIgnored,
        HttpgetsizeRedirectNotFollowed
    );
    let size = match scenario.framing {
        Framing::Length => scenario.body.0.len(),
        _ => 0,
    };
    out.extend_from_slice(format!("+HTTPGETSIZE:{size}\r\n").as_bytes());
    out.extend_from_slice(Reply::Ok.bytes());
    Running { output: out }
}

/// One response: a HEAD's header lines are printed at once; a body joins what is printed
/// as payload at the end.
fn print_answer(
    model: &Model,
    kind: HttpCommand,
    a: &Answer,
    printed: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    if kind == (HttpCommand::Client { head: true }) {
        implements!(HttpclientHeadHeaderLines);
        // `head_line_space` (cores before v2.3): a space after the comma, not counted.
        let gap = if model.judge.behaviour.head_line_space {
            " "
        } else {
            ""
        };
        for (k, v) in &a.head_lines {
            let line = format!("{k}: {v}");
            out.extend_from_slice(format!("+HTTPCLIENT:{},{gap}{line}\r\n", line.len()).as_bytes());
        }
    } else {
        implements!(HttpResponsePayloadLine, HttpResponsePieces);
        printed.extend_from_slice(&a.body);
    }
}

/// The command's failure path after what was printed so far.
fn failed(model: &Model, kind: HttpCommand, printed: &[u8], mut out: Vec<u8>) -> Running {
    payload(kind, printed, &mut out);
    failure(model, kind, &mut out);
    Running { output: out }
}

/// The final result of a complete response with `status`.
fn final_result(model: &Model, kind: HttpCommand, status: u16, out: &mut Vec<u8>) {
    if status >= 400 {
        implements!(
            HttpStatusError,
            ErrcodeHttpStatus,
            HttpcsendStatusNotSendFail
        );
        // `status_error_bare` (cores before v4.1): only AT+HTTPCLIENT prints the code.
        let bare = model.judge.behaviour.status_error_bare
            && matches!(kind, HttpCommand::CGet | HttpCommand::Send { .. });
        if !bare {
            model_err(model, err_code::http_status(u32::from(status)), out);
        }
        out.extend_from_slice(Reply::Error.bytes());
    } else {
        implements!(
            HttpStatusBelow400,
            HttpRedirectNotFollowed,
            HttpclientRedirectNotFollowed,
            HttpclientBodyLines,
            HttpcgetBodyLines,
            HttpcsendBodyLines
        );
        let done = match kind {
            HttpCommand::Send { .. } => {
                implements!(HttpcsendSendOk);
                Reply::SendOk
            }
            _ => Reply::Ok,
        };
        out.extend_from_slice(done.bytes());
    }
}

/// Redirects a device follows before the next one ends the command (the spec's
/// `max_redirects`, reference §4.6).
const MAX_REDIRECTS: usize = crate::syntax::host::limits::MAX_REDIRECTS_DEFAULT as usize;

/// Where a followed redirect goes: an absolute `http(s)://` Location, or an absolute path on
/// the same origin; `None` when the answer is no redirect or has no usable Location.
fn redirect(s: &Scenario, from: &Target) -> Option<Target> {
    if !s.redirects() {
        return None;
    }
    let loc = s.location()?.trim().as_bytes();
    if loc.starts_with(b"/") {
        return Some(Target {
            path: loc.to_vec(),
            ..from.clone()
        });
    }
    url::read(loc)
}

/// The Host field for `t` (the port only when it is not the scheme's default).
fn host_field(t: &Target) -> Vec<u8> {
    let mut host = t.host.clone();
    if t.port != if t.tls { 443 } else { 80 } {
        host.extend_from_slice(format!(":{}", t.port).as_bytes());
    }
    host
}

/// The merged payload line of every body printed (none for an empty body).
fn payload(kind: HttpCommand, body: &[u8], out: &mut Vec<u8>) {
    if body.is_empty()
        || matches!(
            kind,
            HttpCommand::GetSize | HttpCommand::Client { head: true }
        )
    {
        return;
    }
    out.extend_from_slice(format!("{}{},", kind.prefix(), body.len()).as_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

/// Whether the TLS handshake with `front` succeeds under the current AT+HTTPCFG.
fn handshake(model: &Model, front: TlsFront) -> bool {
    implements!(
        HttpcfgVerifyModes01,
        HttpcfgVerifyModes23,
        HttpcfgVerifyNoHostname,
        HttpcfgClientCert
    );
    // A device whose profile declares no TLS completes no handshake (its class is http).
    if !model.profile.tls {
        implements!(ConformanceClassHttps);
        return false;
    }
    let verify = model.auth.mode & 2 != 0;
    let present = model.auth.mode & 1 != 0;
    match front {
        TlsFront::Good => true,
        TlsFront::Untrusted | TlsFront::Expired => !verify,
        TlsFront::WrongName => true,
        TlsFront::ClientAuth => present,
    }
}

fn model_err(model: &Model, code: u32, out: &mut Vec<u8>) {
    if model.syslog {
        out.extend_from_slice(&super::err_code_line(code));
    }
}

/// The network-failure ending of each command.
fn failure(model: &Model, kind: HttpCommand, out: &mut Vec<u8>) {
    match kind {
        HttpCommand::Client { .. } => {
            implements!(HttpclientNetworkFailure, ErrcodeHttpConnectFailed);
            model_err(model, err_code::HTTP_CONNECT_FAILED, out);
            out.extend_from_slice(Reply::Error.bytes());
        }
        HttpCommand::GetSize | HttpCommand::CGet => {
            implements!(HttpgetsizeNetworkFailure, HttpcgetNetworkFailure);
            out.extend_from_slice(Reply::Error.bytes());
        }
        HttpCommand::Send { .. } => {
            implements!(HttpcsendSendFail);
            out.extend_from_slice(Reply::SendFail.bytes());
        }
    }
}
