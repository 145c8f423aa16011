//! Turning device output into events (host side).
//!
//! Payload lines (`+CMD:<n>,<n bytes><tail>`) are framed **by length**: their bytes may contain
//! CR, LF, NUL, `>` and the text `OK` without confusing the decoder. Input may arrive split at
//! any byte; an incomplete event waits for more.

/// A fixed string the device prints (from the spec's results).
#[derive(Debug, Clone, Copy)]
pub struct ResultDesc {
    /// The spec's name (`ok`, `prompt`, `busy`…).
    pub name: &'static str,
    /// Exact bytes.
    pub bytes: &'static [u8],
    /// Whether it ends a command.
    pub is_final: bool,
}

/// A length-delimited response line.
#[derive(Debug, Clone, Copy)]
pub struct PayloadDesc {
    /// The command whose output it is (`AT+HTTPCGET`).
    pub command: &'static str,
    /// Bytes before the length (`+HTTPCGET:`).
    pub prefix: &'static [u8],
    /// Bytes between the length and the data (`,`).
    pub separator: &'static [u8],
    /// Bytes after the data (`\r\n`, or nothing for `+HTTPURLCFG:`).
    pub tail: &'static [u8],
}

/// Everything the decoder needs to know about one spec.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Fixed strings.
    pub results: &'static [ResultDesc],
    /// Payload line shapes.
    pub payloads: &'static [PayloadDesc],
    /// Bytes before an error code's hex digits.
    pub err_prefix: &'static [u8],
    /// Number of hex digits of an error code.
    pub err_digits: usize,
    /// Bytes after the digits.
    pub err_suffix: &'static [u8],
    /// End of an information line.
    pub line_end: &'static [u8],
}

/// One decoded piece of device output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The echo of the command line that was sent.
    Echo(Vec<u8>),
    /// A fixed string from the results table, by name.
    Result(&'static str),
    /// An `ERR CODE` line.
    ErrCode(u32),
    /// A payload line: the command's name and exactly `n` data bytes.
    Payload {
        /// Command name.
        command: &'static str,
        /// The data.
        data: Vec<u8>,
    },
    /// Any other line, without its line end.
    Line(Vec<u8>),
}

/// A streaming decoder.
#[derive(Debug, Clone)]
pub struct Decoder {
    table: &'static Table,
    buf: Vec<u8>,
    echo: Vec<u8>,
    prompt_expected: bool,
}

/// What one look at the buffered output found: an event and the bytes it took, or not
/// enough bytes yet.
enum Scan {
    Emit(Event, usize),
    Wait,
}

impl Decoder {
    /// A decoder for one spec's output.
    pub fn new(table: &'static Table) -> Self {
        Decoder {
            table,
            buf: Vec::new(),
            echo: Vec::new(),
            prompt_expected: false,
        }
    }

    /// The next output may start with the echo of `line` (when echo is on).
    pub fn expect_echo(&mut self, line: &[u8]) {
        self.echo = line.to_vec();
    }

    /// Whether the current command may print a data prompt; while it may, an `OK` that could
    /// be the start of the prompt waits for the following bytes (or for [`Decoder::flush`]).
    pub fn expect_prompt(&mut self, yes: bool) {
        self.prompt_expected = yes;
    }

    /// Bytes received but not yet decoded.
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// Feeds bytes and returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.buf.extend_from_slice(bytes);
        self.drain(false)
    }

    /// Called when the device has gone quiet: resolves held ambiguities (an `OK` that was not
    /// followed by the prompt's `\r\n>`) and returns the events.
    pub fn flush(&mut self) -> Vec<Event> {
        self.drain(true)
    }

    fn drain(&mut self, idle: bool) -> Vec<Event> {
        let mut out = Vec::new();
        while !self.buf.is_empty() {
            match self.step(idle) {
                Scan::Emit(ev, n) => {
                    self.buf.drain(..n);
                    out.push(ev);
                }
                Scan::Wait => break,
            }
        }
        out
    }

    fn step(&mut self, idle: bool) -> Scan {
        let buf = &self.buf;
        if !self.echo.is_empty() {
            if buf.starts_with(&self.echo) {
                let n = self.echo.len();
                return Scan::Emit(Event::Echo(std::mem::take(&mut self.echo)), n);
            }
            if self.echo.starts_with(buf) && !idle {
                return Scan::Wait;
            }
            self.echo.clear();
        }
        // Fixed strings: the longest complete match, unless a longer one may still complete.
        let mut best: Option<&ResultDesc> = None;
        let mut longer_possible = false;
        for r in self.table.results {
            if buf.starts_with(r.bytes) {
                if best.is_none_or(|b| r.bytes.len() > b.bytes.len()) {
                    best = Some(r);
                }
            } else if r.bytes.starts_with(buf) {
                longer_possible = true;
            }
        }
        let hold_for_prompt = self.prompt_expected && !idle;
        if let Some(r) = best {
            let extendable = self
                .table
                .results
                .iter()
                .any(|o| o.bytes.len() > r.bytes.len() && o.bytes.starts_with(buf));
            if !(extendable && hold_for_prompt) {
                return Scan::Emit(Event::Result(r.name), r.bytes.len());
            }
            return Scan::Wait;
        }
        if longer_possible && !idle {
            return Scan::Wait;
        }
        if let Some(step) = self.err_code(idle) {
            return step;
        }
        if let Some(step) = self.payload(idle) {
            return step;
        }
        let end = self.table.line_end;
        if let Some(i) = find(buf, end) {
            return Scan::Emit(Event::Line(buf[..i].to_vec()), i + end.len());
        }
        if idle {
            return Scan::Emit(Event::Line(buf.clone()), buf.len());
        }
        Scan::Wait
    }

    fn err_code(&self, idle: bool) -> Option<Scan> {
        let t = self.table;
        let buf = &self.buf;
        if t.err_prefix.starts_with(buf) && !idle {
            return Some(Scan::Wait);
        }
        let rest = buf.strip_prefix(t.err_prefix)?;
        let need = t.err_digits + t.err_suffix.len();
        if rest.len() < need {
            return (!idle).then_some(Scan::Wait);
        }
        let digits = std::str::from_utf8(&rest[..t.err_digits]).ok()?;
        let code = u32::from_str_radix(digits, 16).ok()?;
        if &rest[t.err_digits..need] != t.err_suffix {
            return None;
        }
        Some(Scan::Emit(Event::ErrCode(code), t.err_prefix.len() + need))
    }

    fn payload(&self, idle: bool) -> Option<Scan> {
        let buf = &self.buf;
        for p in self.table.payloads {
            if p.prefix.starts_with(buf) && !idle {
                return Some(Scan::Wait);
            }
            let Some(rest) = buf.strip_prefix(p.prefix) else {
                continue;
            };
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            let after = &rest[digits..];
            if after.len() < p.separator.len() {
                return (!idle && digits < 10).then_some(Scan::Wait);
            }
            if digits == 0 || !after.starts_with(p.separator) {
                return None; // not length-delimited after all: an ordinary line
            }
            let n: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
            let start = p.prefix.len() + digits + p.separator.len();
            let end = start + n + p.tail.len();
            if buf.len() < end {
                return (!idle).then_some(Scan::Wait);
            }
            if &buf[start + n..end] != p.tail {
                return None;
            }
            return Some(Scan::Emit(
                Event::Payload {
                    command: p.command,
                    data: buf[start..start + n].to_vec(),
                },
                end,
            ));
        }
        None
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Escapes bytes for reports: printable ASCII stays, everything else becomes `\r`, `\n`, `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect()
}
