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

impl HttpRequest {
    /// How this (recorded) request differs from the expected one under HTTP semantics (RFC
    /// 9110 §5.3):
    /// method, target and body exactly; header fields by case-insensitive name, values
    /// compared after trimming optional whitespace; order counts only among fields of the same
    /// name. The set of names must be the expected one, so a missing or an unexpected field
    /// is a difference. Empty when they agree. The same rule holds at the raw server and at
    /// wiremock (which reports names in lower case).
    pub fn differences(&self, x: &HttpRequest) -> Vec<String> {
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
