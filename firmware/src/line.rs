//! Assembling command lines from UART bytes.
//!
//! Byte by byte, so the result does not depend on how the UART chunks its input:
//! - CR LF ends a line; a lone CR or LF does not (`FRAMING.LINE.TERMINATOR`);
//! - a NUL discards everything buffered up to and including it (`FRAMING.LINE.NUL`);
//! - once more than 255 bytes are buffered without a terminator they are discarded, keeping a
//!   final CR, and what follows is framed as a new line (`FRAMING.LINE.OVERFLOW`). A line that
//!   fits (≤ 256 bytes with its CR LF) is never cut.

/// Bytes buffered at most before the overflow rule discards them: the spec's longest line,
/// CR LF included (`limits.line_bytes`, generated as `device::LINE_BYTES`).
pub const CAPACITY: usize = crate::device::LINE_BYTES;

/// What one byte did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Keep feeding.
    More,
    /// A line is complete: [`LineBuf::line`] holds it without its terminator.
    Line,
    /// The buffer was discarded (NUL or overflow).
    Discarded,
}

/// The partial command line.
#[derive(Debug)]
pub struct LineBuf {
    buf: [u8; CAPACITY],
    len: usize,
}

impl Default for LineBuf {
    fn default() -> Self {
        LineBuf {
            buf: [0; CAPACITY],
            len: 0,
        }
    }
}

impl LineBuf {
    /// Adds one byte.
    pub fn push(&mut self, b: u8) -> Pushed {
        if b == 0 {
            implements!(FramingLineNul);
            self.len = 0;
            return Pushed::Discarded;
        }
        self.buf[self.len] = b;
        self.len += 1;
        if self.len >= 2 && self.buf[self.len - 2..self.len] == *b"\r\n" {
            implements!(FramingLineTerminator);
            return Pushed::Line;
        }
        if self.len > CAPACITY - 1 {
            implements!(FramingLineOverflow, HttpclientLineLimit);
            self.len = 0;
            if b == b'\r' {
                self.buf[0] = b'\r';
                self.len = 1;
            }
            return Pushed::Discarded;
        }
        Pushed::More
    }

    /// Adds one byte of a chunk being discarded after an overflow: only a CR LF is kept,
    /// which completes an empty line (the `chunk-discard` variant,
    /// `FRAMING.LINE.OVERFLOW_CHUNK`).
    pub fn push_discarding(&mut self, b: u8) -> Pushed {
        implements!(FramingLineOverflowChunk);
        match b {
            b'\r' => {
                self.buf[0] = b'\r';
                self.len = 1;
                Pushed::More
            }
            b'\n' if self.len == 1 && self.buf[0] == b'\r' => {
                self.buf[1] = b'\n';
                self.len = 2;
                Pushed::Line
            }
            _ => {
                self.len = 0;
                Pushed::More
            }
        }
    }

    /// The completed line without CR LF (valid right after [`Pushed::Line`]).
    pub fn line(&self) -> &[u8] {
        &self.buf[..self.len.saturating_sub(2)]
    }

    /// Forgets the buffered bytes.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Bytes buffered.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// How many parameter fields a set line carries (commas outside quoted strings, with `\\`
/// escapes); 0 without `=`.
pub fn field_count(line: &[u8]) -> usize {
    let Some(eq) = line.iter().position(|&b| b == b'=') else {
        return 0;
    };
    let mut n = 1;
    let (mut quoted, mut escaped) = (false, false);
    for &b in &line[eq + 1..] {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => quoted = !quoted,
            b',' if !quoted => n += 1,
            _ => {}
        }
    }
    n
}

/// Whether `line` starts with `name` (ASCII case-insensitive) followed by `=`.
pub fn is_set_of(line: &[u8], name: &[u8]) -> bool {
    line.len() > name.len()
        && line[..name.len()].eq_ignore_ascii_case(name)
        && line[name.len()] == b'='
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(l: &mut LineBuf, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        for &b in bytes {
            if l.push(b) == Pushed::Line {
                lines.push(l.line().to_vec());
                l.clear();
            }
        }
        lines
    }

    #[test]
    fn crlf_ends_lines_lone_cr_or_lf_do_not() {
        let mut l = LineBuf::default();
        assert_eq!(
            feed(&mut l, b"AT\rX\nY\r\nAT\r\n"),
            [b"AT\rX\nY".to_vec(), b"AT".to_vec()]
        );
    }

    #[test]
    fn a_full_length_line_is_kept_and_one_more_byte_overflows() {
        let mut l = LineBuf::default();
        let mut line = vec![b'A'; 254];
        line.extend_from_slice(b"\r\n");
        assert_eq!(feed(&mut l, &line), [vec![b'A'; 254]]);
        let mut long = vec![b'A'; 255];
        long.extend_from_slice(b"\r\n");
        // 255 bytes + CR overflow; the kept CR and the LF make an empty line.
        assert_eq!(feed(&mut l, &long), [Vec::<u8>::new()]);
    }

    #[test]
    fn the_tail_of_an_overlong_line_is_a_new_line() {
        let mut l = LineBuf::default();
        let mut long = vec![b'x'; 256];
        long.extend_from_slice(b"AT\r\n");
        assert_eq!(feed(&mut l, &long), [b"AT".to_vec()]);
    }

    #[test]
    fn nul_discards_what_came_before() {
        let mut l = LineBuf::default();
        assert_eq!(feed(&mut l, b"garbage\0AT\r\n"), [b"AT".to_vec()]);
    }
}
