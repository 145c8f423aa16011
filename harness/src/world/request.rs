//! One HTTP request, as the mock peer recorded it or as the oracle expects it: one type, one
//! comparison under HTTP semantics, and one printer.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::endpoint::Server;
use crate::bytes::{Bytes, escape};

/// An HTTP request at a mock endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// The endpoint that records it.
    pub server: Server,
    /// Method.
    pub method: String,
    /// Path and query.
    pub target: Bytes,
    /// Header lines in order, names as sent (wiremock reports them in lower case).
    pub headers: Vec<(Bytes, Bytes)>,
    /// Body.
    pub body: Bytes,
}

/// One line: endpoint, method, target, `| name: value` per field, and `| body …`.
impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} {} {}",
            self.server,
            self.method,
            self.target.escaped()
        )?;
        for (k, v) in &self.headers {
            write!(f, " | {}: {}", k.escaped(), v.escaped())?;
        }
        if !self.body.0.is_empty() {
            write!(f, " | body {}", self.body.escaped())?;
        }
        Ok(())
    }
}

/// What is wrong with a request head's framing, as a client must send it to an origin server
/// (RFC 9112 §2.2, §3, §3.2.1, §5): every line ends in CR LF, the request line is `METHOD SP
/// origin-form SP HTTP/1.1`, and every field line holds a colon (the spec's devices only send
/// `Name: value` headers: a header without a colon is refused before any request). Checked at
/// both servers the device reaches — wiremock records neither the version nor the raw lines.
/// `head` is the head up to and with its blank line.
pub fn framing_faults(head: &[u8]) -> Vec<String> {
    let cut = |l: &[u8]| escape(&l[..l.len().min(120)]);
    let mut faults = Vec::new();
    let mut lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    // The piece after the blank line's LF is empty.
    lines.pop();
    if lines.iter().any(|l| !l.ends_with(b"\r")) {
        faults.push("a line of the request head ends in a bare LF, not CR LF".to_string());
    }
    let lines: Vec<&[u8]> = lines
        .iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    let Some((line, fields)) = lines.split_first() else {
        return faults;
    };
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let origin_form = |t: &[u8]| t.starts_with(b"/") || t == b"*";
    match parts.as_slice() {
        [m, t, b"HTTP/1.1"] if !m.is_empty() && origin_form(t) => {}
        [_, t, b"HTTP/1.1"] if !t.is_empty() && !origin_form(t) => faults.push(format!(
            "request line `{}`: the target is not in origin form",
            cut(line)
        )),
        _ => faults.push(format!(
            "request line `{}` is not `METHOD target HTTP/1.1`",
            cut(line)
        )),
    }
    for f in fields.iter().filter(|f| !f.is_empty()) {
        if !f.contains(&b':') {
            faults.push(format!("header line `{}` has no colon", cut(f)));
        }
    }
    faults
}

impl HttpRequest {
    /// How this (recorded) request differs from the expected one under HTTP semantics (RFC
    /// 9110 §5.3):
    /// method, target and body exactly; header fields by case-insensitive name, values
    /// compared after trimming optional whitespace; order counts only among fields of the same
    /// name. The set of names must be the expected one, so a missing or an unexpected field
    /// is a difference. Empty when they agree. The same rule holds at the raw server and at
    /// wiremock (which reports names in lower case).
    pub fn differences(&self, x: &HttpRequest) -> Vec<String> {
        implements!(HttpRequestFieldOrder);
        let mut d = Vec::new();
        if self.server != x.server {
            d.push(format!("reached {:?}, not {:?}", self.server, x.server));
        }
        if self.method != x.method {
            d.push(format!("method {}, not {}", self.method, x.method));
        }
        if self.target != x.target {
            d.push(format!(
                "target `{}`, not `{}`",
                self.target.escaped(),
                x.target.escaped()
            ));
        }
        if self.body != x.body {
            d.push(format!(
                "body `{}`, not `{}`",
                self.body.escaped(),
                x.body.escaped()
            ));
        }
        let seen = fields(self.headers.iter().map(|(n, v)| (&n.0[..], &v.0[..])));
        let want = fields(x.headers.iter().map(|(n, v)| (&n.0[..], &v.0[..])));
        for (name, values) in &want {
            match seen.iter().find(|(n, _)| n == name) {
                None => d.push(format!("no `{}` header", escape(name))),
                Some((_, got)) if got != values => d.push(format!(
                    "`{}`: {}, not {}",
                    escape(name),
                    show_values(got),
                    show_values(values)
                )),
                Some(_) => {}
            }
        }
        for (name, values) in &seen {
            if !want.iter().any(|(n, _)| n == name) {
                d.push(format!(
                    "unexpected `{}` header ({})",
                    escape(name),
                    show_values(values)
                ));
            }
        }
        d
    }
}

/// Header fields grouped by lower-cased name (in order of first appearance), each with its
/// values in the order sent, trimmed of optional whitespace (SP and HTAB).
fn fields<'a>(headers: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> Vec<(Vec<u8>, Vec<Vec<u8>>)> {
    let mut out: Vec<(Vec<u8>, Vec<Vec<u8>>)> = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let value = trim_ows(value).to_vec();
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, vs)) => vs.push(value),
            None => out.push((name, vec![value])),
        }
    }
    out
}

fn trim_ows(v: &[u8]) -> &[u8] {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let s = v.iter().position(|b| !ows(b)).unwrap_or(v.len());
    let e = v.iter().rposition(|b| !ows(b)).map_or(s, |e| e + 1);
    &v[s..e]
}

fn show_values(vs: &[Vec<u8>]) -> String {
    vs.iter()
        .map(|v| format!("`{}`", escape(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Well-framed heads pass (any method, query, `*`, empty values, a leading-colon field);
    /// HTTP/1.0, absolute-form, extra spaces, bare LF and a colon-less line are each named.
    #[test]
    fn request_framing_is_judged() {
        for ok in [
            &b"GET /p?q=1 HTTP/1.1\r\nHost: h\r\nX-E:\r\n\r\n"[..],
            b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
            b"POST / HTTP/1.1\r\n: odd\r\n\r\n",
        ] {
            assert_eq!(framing_faults(ok), Vec::<String>::new());
        }
        let says = |head: &[u8], what: &str| {
            let f = framing_faults(head);
            assert!(f.iter().any(|f| f.contains(what)), "{f:?} lacks {what}");
        };
        says(
            b"GET / HTTP/1.0\r\nHost: h\r\n\r\n",
            "is not `METHOD target HTTP/1.1`",
        );
        says(b"GET http://h/x HTTP/1.1\r\n\r\n", "not in origin form");
        says(b"GET  / HTTP/1.1\r\n\r\n", "is not `METHOD");
        says(b"GET / HTTP/1.1\nHost: h\r\n\r\n", "bare LF");
        says(b"GET / HTTP/1.1\r\nHost h\r\n\r\n", "`Host h` has no colon");
    }

    fn expected(headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            server: Server::Raw,
            method: "POST".into(),
            target: Bytes(b"/p?q=1".to_vec()),
            headers: headers
                .iter()
                .map(|(n, v)| (Bytes(n.as_bytes().to_vec()), Bytes(v.as_bytes().to_vec())))
                .collect(),
            body: Bytes(b"abc".to_vec()),
        }
    }

    /// The same request as the device sent it.
    fn seen(headers: &[(&str, &str)]) -> HttpRequest {
        expected(headers)
    }

    const OURS: &[(&str, &str)] = &[
        ("Host", "h:8080"),
        ("User-Agent", "ESP32 HTTP Client/1.0"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Content-Length", "3"),
        ("X-A", "1"),
        ("X-A", "2"),
    ];

    #[test]
    fn legitimate_differences_pass() {
        let x = expected(OURS);
        // ESP-IDF's order, names in another case, optional white space around values.
        let idf = seen(&[
            ("user-agent", "ESP32 HTTP Client/1.0"),
            ("HOST", " h:8080"),
            ("content-type", "application/x-www-form-urlencoded\t"),
            ("X-A", "1"),
            ("x-a", " 2 "),
            ("Content-Length", "3"),
        ]);
        assert_eq!(idf.differences(&x), Vec::<String>::new());
        assert!(seen(OURS).differences(&x).is_empty());
    }

    #[test]
    fn real_differences_fail() {
        let x = expected(OURS);
        let cases: Vec<(HttpRequest, &str)> = vec![
            (seen(&OURS[1..]), "no `host` header"),
            (
                seen(&[OURS, &[("X-Extra", "1")]].concat()),
                "unexpected `x-extra` header",
            ),
            (
                seen(&[&OURS[..4], &[("X-A", "2"), ("X-A", "1")]].concat()),
                "`x-a`: `2`, `1`, not `1`, `2`",
            ),
            (
                seen(&[&[("Host", "h")], &OURS[1..]].concat()),
                "`host`: `h`, not `h:8080`",
            ),
            (
                seen(
                    &[
                        &OURS[..1],
                        &[("User-Agent", "ESP32 HTTP Client/1.1")],
                        &OURS[2..],
                    ]
                    .concat(),
                ),
                "`user-agent`",
            ),
            (
                seen(&[OURS, &[("X-A", "3")]].concat()),
                "`x-a`: `1`, `2`, `3`, not `1`, `2`",
            ),
        ];
        for (r, why) in cases {
            let d = r.differences(&x);
            assert!(d.iter().any(|s| s.contains(why)), "{why}: {d:?}");
            assert!(!r.differences(&x).is_empty());
        }
        let mut r = seen(OURS);
        r.method = "PUT".into();
        assert!(!r.differences(&x).is_empty());
        let mut r = seen(OURS);
        r.body = Bytes(b"abd".to_vec());
        assert!(!r.differences(&x).is_empty());
        let mut r = seen(OURS);
        r.target = Bytes(b"/p?q=2".to_vec());
        assert!(!r.differences(&x).is_empty());
        // A value differing inside (not only in surrounding white space) is a difference.
        let r = seen(&[&[("Host", "h: 8080")], &OURS[1..]].concat());
        assert!(!r.differences(&x).is_empty());
    }
}
