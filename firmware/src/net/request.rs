//! Request bytes: the one builder all HTTP commands share, and the rewrite a redirect makes.

use atspec_rt::ByteSink;

use crate::http::{Fill, HeaderList};
use crate::store::HeaderStore;

/// Longest host name the engine connects to.
pub const MAX_HOST: usize = 255;

/// Everything a request needs, resolved from the command and the global state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    /// Whether the URL's scheme is http or https at all (others take the failure path).
    pub known_scheme: bool,
    pub method: &'a [u8],
    pub user_agent: &'a [u8],
    pub tls: bool,
    pub host: &'a [u8],
    pub port: u16,
    /// Path and query.
    pub target: &'a [u8],
    pub content_type: Option<&'a [u8]>,
    pub content_length: Option<u64>,
    /// Header lines given with the command.
    pub extra: &'a [&'a [u8]],
    /// A body small enough to go with the head (AT+HTTPCLIENT's data).
    pub body: &'a [u8],
    /// Header fields in ESP-IDF order (the `idf-header-order` variant).
    pub idf_order: bool,
    /// The request line's version: `HTTP/1.1` (another only for the `http10` mutant).
    pub version: &'a [u8],
    /// A raw line after the fields: empty (a colon-less one only for the
    /// `header-no-colon` mutant).
    pub stray: &'a [u8],
}

impl Request<'_> {
    /// Writes the request head (and the small body) into `dst`, the stored AT+HTTPCHEAD lines
    /// applied; the length, or `None` when it does not fit (the network-failure path).
    pub(crate) fn write(&self, stored: &HeaderStore, dst: &mut [u8]) -> Option<usize> {
        implements!(HttpRequestLine, HttpRequestHost, HttpRequestUserAgent);
        implements!(
            HttpRequestContentLength,
            HttpRequestHeaderOrder,
            HttpRequestCheadApplied
        );
        let mut host_value = [0u8; MAX_HOST + 6];
        let host_header = host_text(&mut host_value, self.host, self.port, self.tls);
        let mut length_text = [0u8; 20];
        let length = self.content_length.map(|len| {
            let mut f = Fill::new(&mut length_text);
            atspec_rt::sink::put_decimal(&mut f, len as i64);
            f.len
        });
        let length = length.map(|n| &length_text[..n]);
        let mut headers = HeaderList::default();
        // The order of fields with different names carries no meaning (RFC 9110 §5.3,
        // `HTTP.REQUEST.FIELD_ORDER`); only same-name replacement is a rule.
        implements!(HttpRequestFieldOrder);
        if self.idf_order {
            headers.set(b"User-Agent", self.user_agent);
            headers.set(b"Host", host_header);
        } else {
            headers.set(b"Host", host_header);
            headers.set(b"User-Agent", self.user_agent);
        }
        if let Some(ct) = self.content_type {
            headers.set(b"Content-Type", ct);
        }
        if let (Some(len), false) = (length, self.idf_order) {
            headers.set(b"Content-Length", len);
        }
        for h in self.extra {
            headers.set_line(h);
        }
        // Stored headers, newest to oldest: of two names differing only in case the older wins.
        implements!(HttpcheadApplyOrder);
        for h in stored.iter() {
            headers.set_line(h);
        }
        if let (Some(len), true) = (length, self.idf_order) {
            // IDF's `open()` sets it last, replacing a same-named field in place.
            headers.set(b"Content-Length", len);
        }
        let mut f = Fill::new(dst);
        f.put(self.method);
        f.put(b" ");
        f.put(self.target);
        f.put(b" ");
        f.put(self.version);
        f.put(b"\r\n");
        headers.write(&mut f);
        if !self.stray.is_empty() {
            f.put(self.stray);
            f.put(b"\r\n");
        }
        f.put(b"\r\n");
        f.put(self.body);
        if f.overflow {
            implements!(HttpBufferTxHoldsRequestLine);
            return None;
        }
        Some(f.len)
    }
}

/// The Host field's value in `buf`: the host, and `:port` unless it is the scheme's default.
/// `buf` has room for the host and 6 more bytes.
pub(crate) fn host_text<'b>(buf: &'b mut [u8], host: &[u8], port: u16, tls: bool) -> &'b [u8] {
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
pub(crate) fn retarget(
    tx: &mut [u8],
    len: usize,
    target: &[u8],
    host: Option<&[u8]>,
) -> Option<usize> {
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

/// The request line's method becomes `method` (the `redirect-as-get` mutant); the new
/// length, or `None` when it does not fit.
pub(crate) fn remethod(tx: &mut [u8], len: usize, method: &[u8]) -> Option<usize> {
    let end = tx[..len].iter().position(|&b| b == b' ').unwrap_or(0);
    splice(tx, len, 0..end, method)
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
