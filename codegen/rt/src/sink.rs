//! Where generated response writers put their bytes.

/// A byte destination for device output (a UART FIFO, a ring buffer, a test vector).
///
/// Writers never allocate; they call `put` with literal pieces and formatted numbers.
pub trait ByteSink {
    /// Appends bytes.
    fn put(&mut self, bytes: &[u8]);
}

#[cfg(feature = "std")]
impl ByteSink for std::vec::Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Writes a signed decimal.
pub fn put_decimal<S: ByteSink + ?Sized>(s: &mut S, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        s.put(b"-");
    }
    s.put(&buf[i..]);
}

/// Writes `width` lower-case hexadecimal digits, zero-padded (the `{code:08x}` format).
pub fn put_hex<S: ByteSink + ?Sized>(s: &mut S, v: u32, width: usize) {
    let mut buf = [b'0'; 8];
    for (i, slot) in buf.iter_mut().rev().enumerate() {
        *slot = b"0123456789abcdef"[((v >> (4 * i)) & 0xf) as usize];
    }
    let width = width.clamp(1, 8);
    let first = buf
        .iter()
        .position(|&b| b != b'0')
        .unwrap_or(7)
        .min(8 - width);
    s.put(&buf[first..]);
}

/// Shows bytes with control characters escaped (`\r`, `\n`, `\0`, `\xNN`) for Debug output.
pub struct Escaped<'b>(pub &'b [u8]);

impl core::fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("b\"")?;
        for &b in self.0 {
            for c in core::ascii::escape_default(b) {
                core::fmt::Write::write_char(f, c as char)?;
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct V(Vec<u8>);
    impl ByteSink for V {
        fn put(&mut self, b: &[u8]) {
            self.0.extend_from_slice(b);
        }
    }

    fn dec(v: i64) -> String {
        let mut s = V(Vec::new());
        put_decimal(&mut s, v);
        String::from_utf8(s.0).unwrap()
    }

    fn hex(v: u32, w: usize) -> String {
        let mut s = V(Vec::new());
        put_hex(&mut s, v, w);
        String::from_utf8(s.0).unwrap()
    }

    #[test]
    fn decimals() {
        assert_eq!(dec(0), "0");
        assert_eq!(dec(2048), "2048");
        assert_eq!(dec(-12), "-12");
        assert_eq!(dec(i64::MIN), "-9223372036854775808");
    }

    #[test]
    fn hex_is_padded_lower_case() {
        assert_eq!(hex(0x010a7194, 8), "010a7194");
        assert_eq!(hex(0x0103_0000, 8), "01030000");
        assert_eq!(hex(0xab, 2), "ab");
        assert_eq!(hex(0xabc, 2), "abc");
        assert_eq!(hex(0, 1), "0");
    }
}
