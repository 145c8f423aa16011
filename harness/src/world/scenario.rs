//! What the mock peer answers: one `Scenario` at a time, set by a `Mock` step.
//!
//! The raw server can play every scenario byte for byte. wiremock plays the subset it can
//! ([`Scenario::for_wiremock`]): Content-Length framing, no faults; the oracle predicts from
//! the scenario as the server that was reached plays it.

use serde::{Deserialize, Serialize};

use crate::bytes::Bytes;

/// How the response body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framing {
    /// `Content-Length`.
    Length,
    /// `Transfer-Encoding: chunked`, `piece` body bytes per chunk, `gap_ms` between chunks.
    Chunked {
        /// Body bytes per chunk (at least 1).
        piece: usize,
        /// Pause between chunks (trickling).
        gap_ms: u64,
    },
    /// No length: the body ends when the server closes.
    Close,
}

/// A transport-level misbehaviour of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Send the head and this many body bytes, then nothing (connection kept open).
    StallAfter(usize),
    /// Send the head and this many body bytes, then reset the connection.
    ResetAfter(usize),
    /// Answer with a status line that is not HTTP.
    MalformedStatus,
    /// Add this many bytes of extra header lines.
    HugeHeaders(usize),
}

/// One mock answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Status code.
    pub status: u16,
    /// Extra response headers, in order (after the framing header).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body (not sent for HEAD, 204 and 304).
    #[serde(default)]
    pub body: Bytes,
    /// Body framing.
    pub framing: Framing,
    /// Pause before the response head.
    #[serde(default)]
    pub delay_ms: u64,
    /// Transport misbehaviour.
    #[serde(default)]
    pub fault: Option<Fault>,
    /// Where a followed redirect lands: requests for its path get its answer instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<Landing>,
}

/// The answer at one path, for a device that follows a redirect there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    /// Path and query, as in the request line.
    pub path: String,
    /// What is answered there.
    pub answer: Box<Scenario>,
}

/// The redirect statuses a device may follow (reference §4.6).
pub const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

impl Default for Scenario {
    fn default() -> Self {
        Scenario::ok(b"hello")
    }
}

impl Scenario {
    /// 200 with this body and Content-Length.
    pub fn ok(body: &[u8]) -> Scenario {
        Scenario::status(200, body)
    }

    /// This status with this body and Content-Length.
    pub fn status(status: u16, body: &[u8]) -> Scenario {
        // 1xx, 204 and 304 responses carry no body (RFC 9110); keep the scenario honest.
        let body = if matches!(status, 100..=199 | 204 | 304) {
            &[][..]
        } else {
            body
        };
        Scenario {
            status,
            headers: Vec::new(),
            body: Bytes(body.to_vec()),
            framing: Framing::Length,
            delay_ms: 0,
            fault: None,
            landing: None,
        }
    }

    /// The same, answering requests for `path` with `answer` (where a redirect lands).
    pub fn landing(mut self, path: &str, answer: Scenario) -> Scenario {
        self.landing = Some(Landing {
            path: path.into(),
            answer: Box::new(answer),
        });
        self
    }

    /// The answer to a request for `path`.
    pub fn answer_for(&self, path: &[u8]) -> &Scenario {
        match &self.landing {
            Some(l) if l.path.as_bytes() == path => &l.answer,
            _ => self,
        }
    }

    /// Whether this is a redirect a device may follow: a redirect status with a Location.
    pub fn redirects(&self) -> bool {
        REDIRECTS.contains(&self.status) && self.location().is_some()
    }

    /// The Location header's value.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.as_str())
    }

    /// The same with another framing.
    pub fn framed(mut self, framing: Framing) -> Scenario {
        self.framing = framing;
        self
    }

    /// The same with a fault.
    pub fn fault(mut self, fault: Fault) -> Scenario {
        self.fault = Some(fault);
        self
    }

    /// The same, answered after `ms`.
    pub fn delayed(mut self, ms: u64) -> Scenario {
        self.delay_ms = ms;
        self
    }

    /// The same with one more response header.
    pub fn header(mut self, name: &str, value: &str) -> Scenario {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// What wiremock plays of this scenario: Content-Length framing and no fault.
    pub fn for_wiremock(&self) -> Scenario {
        Scenario {
            framing: Framing::Length,
            fault: None,
            landing: self.landing.as_ref().map(|l| Landing {
                path: l.path.clone(),
                answer: Box::new(l.answer.for_wiremock()),
            }),
            ..self.clone()
        }
    }

    /// Whether a response with this status carries no body (1xx, 204, 304).
    pub fn bodiless(&self) -> bool {
        matches!(self.status, 100..=199 | 204 | 304)
    }

    /// The response head lines (without the status line) the raw server sends, in order,
    /// for a response that has a body unless `head_only`.
    pub fn head_lines(&self, head_request: bool) -> Vec<(String, String)> {
        let mut lines = Vec::new();
        match self.framing {
            Framing::Length => lines.push(("Content-Length".into(), self.body.0.len().to_string())),
            Framing::Chunked { .. } if !head_request => {
                lines.push(("Transfer-Encoding".into(), "chunked".into()))
            }
            _ => {}
        }
        lines.extend(self.headers.iter().cloned());
        if let Some(Fault::HugeHeaders(n)) = self.fault {
            let mut left = n;
            let mut i = 0;
            while left > 0 {
                let v = "x".repeat(left.min(100));
                left -= v.len();
                lines.push((format!("X-Filler-{i}"), v));
                i += 1;
            }
        }
        lines.push(("Connection".into(), "close".into()));
        lines
    }
}

/// The reason phrase the raw server writes.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        418 => "I'm a teapot",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
