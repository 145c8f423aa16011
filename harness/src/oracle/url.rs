//! URL reading as the spec states it (`HTTP.URL.VALID`, `HTTP.URL.SCHEME_TRANSPORT`): a
//! scheme, `://`, a host, an optional port, then the path and query sent in the request line.
//! Written for the oracle from the spec, independently of any device's URL code.

/// A URL as a request needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `http` → false, `https` → true; other schemes fail on the network path.
    pub tls: bool,
    /// Whether the scheme is http or https.
    pub known_scheme: bool,
    /// Host, without port or user info.
    pub host: Vec<u8>,
    /// Port, defaulting to 80 / 443.
    pub port: u16,
    /// Path and query (`/` when empty), fragment dropped.
    pub path: Vec<u8>,
}

/// Reads a URL; `None` when it has no scheme or no host, or a port that is not a number.
pub fn read(url: &[u8]) -> Option<Target> {
    let text = url;
    let at = find(text, b"://")?;
    let scheme = &text[..at];
    let scheme_ok = !scheme.is_empty()
        && scheme
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.');
    if !scheme_ok {
        return None;
    }
    let after = &text[at + 3..];
    let split = after
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(after.len());
    let mut authority = &after[..split];
    if let Some(i) = authority.iter().rposition(|&c| c == b'@') {
        authority = &authority[i + 1..];
    }
    let tls = scheme.eq_ignore_ascii_case(b"https");
    let known_scheme = tls || scheme.eq_ignore_ascii_case(b"http");
    let default_port = if tls { 443 } else { 80 };
    // An IPv6 literal keeps its colons inside brackets.
    let port_colon = match authority.iter().rposition(|&c| c == b':') {
        Some(i) if authority.first() != Some(&b'[') || authority[..i].last() == Some(&b']') => {
            Some(i)
        }
        _ => None,
    };
    let (host, port) = match port_colon {
        Some(i) => {
            let digits = std::str::from_utf8(&authority[i + 1..]).ok()?;
            (&authority[..i], digits.parse::<u16>().ok()?)
        }
        None => (authority, default_port),
    };
    if host.is_empty() {
        return None;
    }
    let mut path = after[split..].to_vec();
    if let Some(h) = path.iter().position(|&c| c == b'#') {
        path.truncate(h);
    }
    if path.is_empty() {
        path = b"/".to_vec();
    }
    Some(Target {
        tls,
        known_scheme,
        host: host.to_vec(),
        port,
        path,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = read(b"http://127.0.0.1:8080/a?b=1#frag").unwrap();
        assert_eq!((t.tls, t.port), (false, 8080));
        assert_eq!(t.host, b"127.0.0.1");
        assert_eq!(t.path, b"/a?b=1");
        let t = read(b"https://user@h").unwrap();
        assert_eq!(
            (t.tls, t.port, &t.host[..], &t.path[..]),
            (true, 443, &b"h"[..], &b"/"[..])
        );
        assert!(!read(b"ftp://h/x").unwrap().known_scheme);
        assert_eq!(read(b"no-scheme/x"), None);
        assert_eq!(read(b"http:///x"), None);
        assert_eq!(read(b"http://h:99999/"), None);
    }
}
