//! The byte-level mutants: a rewrite of the UART output stream on its way into the queue
//! (`Out`), so the engine never knows them. A rule is a pattern (`#` stands for one
//! lower-case hex digit, as the engine prints them) and what replaces a match.
//!
//! Matching is streaming and bounded: bytes that may still begin a match are held back (at
//! most [`HELD_MAX`]) and released as soon as they cannot, or when the queue is drained.
//! Everything the engine prints within one call reaches the queue before the board drains
//! it, so a pattern is never split across a drain. The stream is rewritten as a whole, body
//! bytes included: a body that spells a pattern is rewritten too (a mutant is a test device).

#[cfg(test)]
use atspec_rt::ByteSink;

/// The longest pattern.
pub const HELD_MAX: usize = 40;

/// What replaces a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replace {
    /// Nothing: the match is dropped.
    Nothing,
    /// These bytes.
    With(&'static [u8]),
    /// The match with the digits its pattern's `#` stand for upper-case.
    UpperHex,
    /// The match with the digits its pattern's `#` stand for `0`.
    ZeroHex,
}

/// One pattern and its replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    pattern: &'static [u8],
    replace: Replace,
}

const fn rule(pattern: &'static [u8], replace: Replace) -> Rule {
    assert!(pattern.len() <= HELD_MAX);
    Rule { pattern, replace }
}

const ERR_CODE: &[u8] = b"ERR CODE:0x########\r\n";

/// `prompt-space`: the prompt with a space after the `>`.
pub(super) const PROMPT_SPACE: &[Rule] =
    &[rule(b"\r\nOK\r\n\r\n>", Replace::With(b"\r\nOK\r\n\r\n> "))];
/// `prompt-bare`: the prompt without its OK.
pub(super) const PROMPT_BARE: &[Rule] = &[rule(b"\r\nOK\r\n\r\n>", Replace::With(b"\r\n>"))];
/// `no-syslog`: no ERR CODE line, whatever AT+SYSLOG says.
pub(super) const NO_SYSLOG: &[Rule] = &[rule(ERR_CODE, Replace::Nothing)];
/// `errcode-uppercase`: ERR CODE digits upper-case.
pub(super) const ERRCODE_UPPERCASE: &[Rule] = &[rule(ERR_CODE, Replace::UpperHex)];
/// `status-errcode-flat`: an HTTP status's code (0x010a7000 plus the status) without the
/// status.
pub(super) const STATUS_ERRCODE_FLAT: &[Rule] =
    &[rule(b"ERR CODE:0x010a7###\r\n", Replace::ZeroHex)];
/// `send-ok-bare`: SEND OK without its leading CR LF.
pub(super) const SEND_OK_BARE: &[Rule] = &[rule(b"\r\nSEND OK\r\n", Replace::With(b"SEND OK\r\n"))];
/// `no-busy`: input while a command runs is dropped without a word (the busy answer and the
/// ERR CODE line before it).
pub(super) const NO_BUSY: &[Rule] = &[
    rule(
        b"ERR CODE:0x########\r\n\r\nbusy p...\r\n",
        Replace::Nothing,
    ),
    rule(b"\r\nbusy p...\r\n", Replace::Nothing),
];

/// A stream rewrite by a mutant's rules (none: bytes pass unchanged).
#[derive(Debug, Clone)]
pub struct Rewrite {
    rules: &'static [Rule],
    held: [u8; HELD_MAX],
    n: usize,
}

impl Default for Rewrite {
    fn default() -> Self {
        Rewrite::new(&[])
    }
}

impl Rewrite {
    pub(crate) const fn new(rules: &'static [Rule]) -> Rewrite {
        Rewrite {
            rules,
            held: [0; HELD_MAX],
            n: 0,
        }
    }

    /// Bytes held back because they may begin a match.
    pub fn held(&self) -> usize {
        self.n
    }

    /// Passes `bytes` through to `out`, rewritten.
    pub fn put(&mut self, bytes: &[u8], out: &mut dyn FnMut(&[u8])) {
        if self.rules.is_empty() {
            return out(bytes);
        }
        for &b in bytes {
            self.held[self.n] = b;
            self.n += 1;
            self.settle(out);
        }
    }

    /// Releases what is held (the board is draining: nothing more comes in this call).
    pub fn flush(&mut self, out: &mut dyn FnMut(&[u8])) {
        out(&self.held[..self.n]);
        self.n = 0;
    }

    /// Emits held bytes until they may begin a match again, or replaces a complete match.
    fn settle(&mut self, out: &mut dyn FnMut(&[u8])) {
        while self.n > 0 {
            let held = &self.held[..self.n];
            if let Some(r) = self.rules.iter().find(|r| matches(r.pattern, held)) {
                if r.pattern.len() == held.len() {
                    emit(r, held, out);
                    self.n = 0;
                }
                return;
            }
            out(&held[..1]);
            self.held.copy_within(1..self.n, 0);
            self.n -= 1;
        }
    }
}

/// Whether `held` is `pattern` or its beginning.
fn matches(pattern: &[u8], held: &[u8]) -> bool {
    held.len() <= pattern.len()
        && held.iter().zip(pattern).all(|(&h, &p)| match p {
            b'#' => h.is_ascii_digit() || (b'a'..=b'f').contains(&h),
            _ => h == p,
        })
}

/// Writes what replaces `held`, a match of `r`.
fn emit(r: &Rule, held: &[u8], out: &mut dyn FnMut(&[u8])) {
    let digit = |f: fn(u8) -> u8| {
        let mut b = [0u8; HELD_MAX];
        for ((d, &h), &p) in b.iter_mut().zip(held).zip(r.pattern) {
            *d = if p == b'#' { f(h) } else { h };
        }
        b
    };
    match r.replace {
        Replace::Nothing => {}
        Replace::With(b) => out(b),
        Replace::UpperHex => out(&digit(|h| h.to_ascii_uppercase())[..held.len()]),
        Replace::ZeroHex => out(&digit(|_| b'0')[..held.len()]),
    }
}

/// A [`ByteSink`] collecting into a slice, for the tests.
#[cfg(test)]
struct Collect<'a>(&'a mut [u8], usize);

#[cfg(test)]
impl ByteSink for Collect<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.0[self.1..self.1 + bytes.len()].copy_from_slice(bytes);
        self.1 += bytes.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{Reply, err_code, respond};

    /// What `rules` make of the engine's output `pieces` (each one `put`), flushed.
    fn through(rules: &'static [Rule], pieces: &[&[u8]]) -> ([u8; 256], usize) {
        let mut buf = [0u8; 256];
        let mut sink = Collect(&mut buf, 0);
        let mut r = Rewrite::new(rules);
        for p in pieces {
            r.put(p, &mut |b| sink.put(b));
        }
        r.flush(&mut |b| sink.put(b));
        let n = sink.1;
        (buf, n)
    }

    fn err_line(code: u32) -> ([u8; 64], usize) {
        let mut buf = [0u8; 64];
        let mut sink = Collect(&mut buf, 0);
        respond::err_code_line(&mut sink, code);
        let n = sink.1;
        (buf, n)
    }

    #[test]
    fn the_rules_match_what_the_engine_prints() {
        let (line, n) = err_line(err_code::http_status(404));
        let line = &line[..n];
        let (out, k) = through(STATUS_ERRCODE_FLAT, &[line, Reply::Error.bytes()]);
        let (flat, m) = err_line(err_code::HTTP_CONNECT_FAILED);
        assert_eq!(&out[..k - Reply::Error.bytes().len()], &flat[..m]);
        let (out, k) = through(ERRCODE_UPPERCASE, &[line]);
        assert_eq!(&out[..k], b"ERR CODE:0x010A7194\r\n");
        let (out, k) = through(NO_SYSLOG, &[line, Reply::Error.bytes()]);
        assert_eq!(&out[..k], Reply::Error.bytes());
        let (out, k) = through(PROMPT_SPACE, &[Reply::Prompt.bytes()]);
        assert_eq!(&out[..k], b"\r\nOK\r\n\r\n> ");
        let (out, k) = through(PROMPT_BARE, &[Reply::Prompt.bytes()]);
        assert_eq!(&out[..k], b"\r\n>");
        let (out, k) = through(SEND_OK_BARE, &[b"+HTTPCPOST:", Reply::SendOk.bytes()]);
        assert_eq!(&out[..k], b"+HTTPCPOST:SEND OK\r\n");
        let (busy, n) = err_line(err_code::BUSY);
        let (out, k) = through(
            NO_BUSY,
            &[&busy[..n], Reply::Busy.bytes(), Reply::Ok.bytes()],
        );
        assert_eq!(&out[..k], Reply::Ok.bytes());
        let (out, k) = through(NO_BUSY, &[Reply::Busy.bytes()]);
        assert_eq!(k, 0, "{:?}", &out[..k]);
    }

    #[test]
    fn what_matches_nothing_passes_byte_for_byte_in_any_pieces() {
        let text: &[u8] = b"\r\nOK\r\n\r\nERR CODE:0x010800\r\n\r\nOK\r\n\r\nSEND FAIL\r\n\r\n>x";
        for rules in [
            PROMPT_SPACE,
            NO_SYSLOG,
            SEND_OK_BARE,
            NO_BUSY,
            STATUS_ERRCODE_FLAT,
        ] {
            for cut in 0..text.len() {
                let (out, k) = through(rules, &[&text[..cut], &text[cut..]]);
                assert_eq!(&out[..k], text, "cut at {cut}");
            }
        }
        let (out, k) = through(&[], &[text]);
        assert_eq!(&out[..k], text);
    }
}
