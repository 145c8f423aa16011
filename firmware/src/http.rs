//! Pure HTTP pieces the engine's transaction uses: URL splitting, the request head, and the
//! chunked-body decoder. Response headers are parsed with `httparse` in the engine.

use atspec_rt::ByteSink;

/// A URL split into what a connection and a request line need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Url<'a> {
    /// `https` means TLS.
    pub tls: bool,
    /// Host name or address, without port.
    pub host: &'a [u8],
    /// Port (default 80 or 443).
    pub port: u16,
    /// Path and query, `/` when the URL has none.
    pub target: &'a [u8],
    /// Whether the scheme is http or https at all (others fail on the network path).
    pub known_scheme: bool,
}

/// Splits `scheme://host[:port][/path][?query]`. `None` when there is no scheme or no host
/// (`HTTP.URL.VALID`).
pub fn parse_url(url: &[u8]) -> Option<Url<'_>> {
    let sep = url.windows(3).position(|w| w == b"://")?;
    let scheme = &url[..sep];
    if scheme.is_empty()
        || !scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b))
    {
        return None;
    }
    let rest = &url[sep + 3..];
    let end = rest
        .iter()
        .position(|&b| b == b'/' || b == b'?' || b == b'#')
        .unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    implements!(HttpUrlSchemeTransport);
    let tls = scheme.eq_ignore_ascii_case(b"https");
    let known_scheme = tls || scheme.eq_ignore_ascii_case(b"http");
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        Some(c) if !authority.starts_with(b"[") || authority[..c].ends_with(b"]") => {
            let digits = &authority[c + 1..];
            let port = core::str::from_utf8(digits).ok()?.parse::<u16>().ok()?;
            (&authority[..c], port)
        }
        _ => (authority, if tls { 443 } else { 80 }),
    };
    if host.is_empty() {
        return None;
    }
    let tail = match tail.iter().position(|&b| b == b'#') {
        Some(h) => &tail[..h],
        None => tail,
    };
    let target: &[u8] = if tail.is_empty() { b"/" } else { tail };
    Some(Url {
        tls,
        host,
        port,
        target,
        known_scheme,
    })
}

/// Most header lines one request carries: defaults, command headers and stored headers.
pub const MAX_REQUEST_HEADERS: usize = 40;

/// Request headers in application order with `set` semantics: a later header replaces the value
/// of an earlier one with the same name (ASCII case-insensitive), keeping its position.
pub struct HeaderList<'a> {
    items: [(&'a [u8], &'a [u8]); MAX_REQUEST_HEADERS],
    len: usize,
}

impl<'a> Default for HeaderList<'a> {
    fn default() -> Self {
        HeaderList {
            items: [(&[], &[]); MAX_REQUEST_HEADERS],
            len: 0,
        }
    }
}

impl<'a> HeaderList<'a> {
    /// Sets a header; false when the list is full.
    pub fn set(&mut self, name: &'a [u8], value: &'a [u8]) -> bool {
        let value = trim(value);
        if let Some(slot) = self.items[..self.len]
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            slot.1 = value;
            return true;
        }
        if self.len == MAX_REQUEST_HEADERS {
            return false;
        }
        self.items[self.len] = (name, value);
        self.len += 1;
        true
    }

    /// Sets a `Name: value` header given as one string (split at the first colon).
    pub fn set_line(&mut self, line: &'a [u8]) -> bool {
        implements!(HttpRequestHeaderSplit);
        match line.iter().position(|&b| b == b':') {
            Some(c) => self.set(trim(&line[..c]), &line[c + 1..]),
            None => false,
        }
    }

    /// Whether a header of this name is set.
    pub fn has(&self, name: &[u8]) -> bool {
        self.items[..self.len]
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Writes `Name: value` CR LF for each header.
    pub fn write<S: ByteSink>(&self, s: &mut S) {
        for (n, v) in &self.items[..self.len] {
            s.put(n);
            s.put(b": ");
            s.put(v);
            s.put(b"\r\n");
        }
    }
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &v[start..end]
}

/// Writes into a fixed buffer and remembers whether everything fit.
pub struct Fill<'b> {
    buf: &'b mut [u8],
    /// Bytes written.
    pub len: usize,
    /// Whether something did not fit.
    pub overflow: bool,
}

impl<'b> Fill<'b> {
    /// Writes into `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Fill {
            buf,
            len: 0,
            overflow: false,
        }
    }
}

impl ByteSink for Fill<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        self.overflow |= n < bytes.len();
    }
}

/// Decodes `Transfer-Encoding: chunked` framing, a few bytes at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Chunked {
    /// Reading a chunk-size line (hex digits, optional extensions, CR LF).
    #[default]
    Size,
    /// In a chunk extension, waiting for the LF.
    SizeTail {
        /// The chunk's size.
        size: u64,
    },
    /// Reading chunk data.
    Data {
        /// Bytes left in this chunk.
        left: u64,
    },
    /// Expecting the CR LF after chunk data.
    DataEnd {
        /// Whether the CR was seen.
        cr: bool,
    },
    /// After the last chunk: trailer lines until an empty one.
    Trailer {
        /// Bytes in the current trailer line.
        line: usize,
    },
    /// The body is complete.
    Done,
}

/// What one step of the chunked decoder produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkStep {
    /// Framing bytes consumed, nothing for the body.
    Framing(usize),
    /// This many bytes (at the start of the input) are body data.
    Data(usize),
    /// The framing is broken.
    Invalid,
}

/// Size accumulator, kept in the state while a size line spans reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChunkedDecoder {
    /// The framing state.
    pub state: Chunked,
    size: u64,
    digits: u8,
}

impl ChunkedDecoder {
    /// Looks at the start of `input`: either some framing bytes to skip or some body bytes.
    pub fn step(&mut self, input: &[u8]) -> ChunkStep {
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            match self.state {
                Chunked::Size => match (b as char).to_digit(16) {
                    Some(d) if self.digits < 15 => {
                        self.size = self.size * 16 + d as u64;
                        self.digits += 1;
                    }
                    _ if self.digits == 0 => return ChunkStep::Invalid,
                    _ if b == b';' || b == b' ' || b == b'\t' || b == b'\r' => {
                        self.state = Chunked::SizeTail { size: self.size };
                    }
                    _ => return ChunkStep::Invalid,
                },
                Chunked::SizeTail { size } => {
                    if b == b'\n' {
                        self.size = 0;
                        self.digits = 0;
                        self.state = if size == 0 {
                            Chunked::Trailer { line: 0 }
                        } else {
                            Chunked::Data { left: size }
                        };
                    }
                }
                Chunked::Data { left } => {
                    if i > 0 {
                        return ChunkStep::Framing(i);
                    }
                    let n = (left.min(input.len() as u64)) as usize;
                    self.state = if n as u64 == left {
                        Chunked::DataEnd { cr: false }
                    } else {
                        Chunked::Data {
                            left: left - n as u64,
                        }
                    };
                    return ChunkStep::Data(n);
                }
                Chunked::DataEnd { cr } => match (cr, b) {
                    (false, b'\r') => self.state = Chunked::DataEnd { cr: true },
                    (true, b'\n') => self.state = Chunked::Size,
                    _ => return ChunkStep::Invalid,
                },
                Chunked::Trailer { line } => match b {
                    b'\n' if line <= 1 => self.state = Chunked::Done,
                    b'\n' => self.state = Chunked::Trailer { line: 0 },
                    _ => self.state = Chunked::Trailer { line: line + 1 },
                },
                Chunked::Done => return ChunkStep::Framing(i),
            }
            i += 1;
        }
        ChunkStep::Framing(i)
    }

    /// Whether the last chunk and the trailers have been read.
    pub fn done(&self) -> bool {
        self.state == Chunked::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split() {
        let u = parse_url(b"http://httpbin.org/get?a=1").unwrap();
        assert_eq!(
            (u.tls, u.host, u.port, u.target),
            (false, &b"httpbin.org"[..], 80, &b"/get?a=1"[..])
        );
        let u = parse_url(b"https://127.0.0.1:8443").unwrap();
        assert_eq!(
            (u.tls, u.host, u.port, u.target),
            (true, &b"127.0.0.1"[..], 8443, &b"/"[..])
        );
        assert_eq!(parse_url(b"http://h?x").unwrap().target, b"?x");
        assert!(!parse_url(b"ftp://h/x").unwrap().known_scheme);
        assert_eq!(parse_url(b"httpbin.org/get"), None);
        assert_eq!(parse_url(b"http:///x"), None);
        assert_eq!(parse_url(b"http://h:99999/"), None);
    }

    #[test]
    fn header_list_replaces_case_insensitively_in_place() {
        let mut h = HeaderList::default();
        h.set(b"Host", b"a");
        h.set(b"Content-Type", b"application/x-www-form-urlencoded");
        h.set_line(b"content-type:  application/json ");
        h.set_line(b"X-A: 1");
        let mut out = [0u8; 128];
        let mut f = Fill::new(&mut out);
        h.write(&mut f);
        let n = f.len;
        assert_eq!(
            &out[..n],
            b"Host: a\r\nContent-Type: application/json\r\nX-A: 1\r\n"
        );
    }

    fn dechunk(input: &[u8], piece: usize) -> Option<Vec<u8>> {
        let mut d = ChunkedDecoder::default();
        let mut body = Vec::new();
        for part in input.chunks(piece) {
            let mut rest = part;
            while !rest.is_empty() {
                match d.step(rest) {
                    ChunkStep::Framing(n) => rest = &rest[n..],
                    ChunkStep::Data(n) => {
                        body.extend_from_slice(&rest[..n]);
                        rest = &rest[n..];
                    }
                    ChunkStep::Invalid => return None,
                }
            }
        }
        d.done().then_some(body)
    }

    #[test]
    fn chunked_bodies_decode_across_any_split() {
        let wire = b"5\r\nhello\r\n1;ext=1\r\n,\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
        for piece in 1..wire.len() {
            assert_eq!(
                dechunk(wire, piece).as_deref(),
                Some(&b"hello,0123456789"[..]),
                "piece {piece}"
            );
        }
        assert_eq!(dechunk(b"5\r\nhel", 3), None);
        assert_eq!(dechunk(b"zz\r\n", 1), None);
        assert_eq!(dechunk(b"3\r\nabcX", 1), None);
    }
}
