//! String parameters: quoted, with backslash escapes.

use crate::Syntax;

/// Why a string field could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrError {
    /// Not enclosed in quotes, an unescaped quote inside, or a dangling escape.
    Syntax,
    /// The output buffer is too small.
    NoRoom,
}

/// Decodes a quoted field into `out` and returns the decoded length.
///
/// The field must start and end with the quote byte (a lone quote is an empty string, as on
/// the firmware). Inside, the escape byte makes the next byte literal — any byte, so `\n` is the
/// letter `n`; an escape as the last byte, or an unescaped quote, is a syntax error.
/// The decoded string is never longer than the field.
pub fn unescape(field: &[u8], syntax: &Syntax, out: &mut [u8]) -> Result<usize, StrError> {
    let q = syntax.quote;
    let inner = match field {
        [only] if *only == q => return Ok(0),
        [first, inner @ .., last] if *first == q && *last == q => inner,
        _ => return Err(StrError::Syntax),
    };
    let mut n = 0usize;
    let mut i = 0usize;
    while i < inner.len() {
        let mut b = inner[i];
        if b == syntax.escape {
            i += 1;
            b = *inner.get(i).ok_or(StrError::Syntax)?;
        } else if b == q {
            return Err(StrError::Syntax);
        }
        *out.get_mut(n).ok_or(StrError::NoRoom)? = b;
        n += 1;
        i += 1;
    }
    Ok(n)
}

/// Whether `hay` contains `needle` (an empty needle is always contained).
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYN: Syntax = Syntax {
        separator: b',',
        quote: b'"',
        escape: b'\\',
        hex: true,
    };

    fn dec(field: &[u8]) -> Result<std::vec::Vec<u8>, StrError> {
        let mut out = [0u8; 64];
        unescape(field, &SYN, &mut out).map(|n| out[..n].to_vec())
    }

    #[test]
    fn quoted_strings_decode() {
        assert_eq!(dec(br#""""#), Ok(vec![]));
        assert_eq!(dec(br#"""#), Ok(vec![]));
        assert_eq!(dec(br#""a\"b\,c\\d\n""#), Ok(b"a\"b,c\\dn".to_vec()));
    }

    #[test]
    fn malformed_strings_fail() {
        assert_eq!(dec(b"abc"), Err(StrError::Syntax));
        assert_eq!(dec(br#""abc"#), Err(StrError::Syntax));
        assert_eq!(dec(br#""ab\""#), Err(StrError::Syntax));
        assert_eq!(dec(br#""a"b""#), Err(StrError::Syntax));
        assert_eq!(dec(b""), Err(StrError::Syntax));
    }

    #[test]
    fn small_buffers_report_no_room() {
        let mut out = [0u8; 2];
        assert_eq!(unescape(br#""abc""#, &SYN, &mut out), Err(StrError::NoRoom));
    }

    #[test]
    fn contains_finds_substrings() {
        assert!(contains(b"Range: bytes", b":"));
        assert!(!contains(b"Range", b":"));
        assert!(contains(b"x", b""));
    }
}
