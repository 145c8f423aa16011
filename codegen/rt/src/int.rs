//! Integer parameters, decoded the way ESP-AT's getter does.

/// Decodes an integer field: an optional `-` and decimal digits, or (when `hex`) `0x`/`0X` and
/// hexadecimal digits without a sign. The value accumulates as unsigned 32-bit with an overflow
/// check and is then read as `i32`, so `4294967295` becomes `-1`. The quirks of the firmware are
/// kept: `0x` alone and `-` alone are 0.
#[allow(clippy::result_unit_err)]
pub fn parse(field: &[u8], hex: bool) -> Result<i32, ()> {
    let (neg, digits, radix) = match field {
        [b'0', b'x' | b'X', rest @ ..] if hex => (false, rest, 16),
        [b'-', rest @ ..] => (true, rest, 10),
        _ => (false, field, 10),
    };
    let mut acc: u32 = 0;
    for &b in digits {
        let d = (b as char).to_digit(radix).ok_or(())?;
        acc = acc
            .checked_mul(radix)
            .and_then(|v| v.checked_add(d))
            .ok_or(())?;
    }
    let v = acc as i32;
    Ok(if neg { v.wrapping_neg() } else { v })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn decimal_hex_and_sign() {
        assert_eq!(parse(b"0", true), Ok(0));
        assert_eq!(parse(b"2048", true), Ok(2048));
        assert_eq!(parse(b"-7", true), Ok(-7));
        assert_eq!(parse(b"0x1f", true), Ok(31));
        assert_eq!(parse(b"0X1F", true), Ok(31));
        assert_eq!(parse(b"0x1f", false), Err(()));
    }

    #[test]
    fn quirks_and_overflow() {
        assert_eq!(parse(b"0x", true), Ok(0));
        assert_eq!(parse(b"-", true), Ok(0));
        assert_eq!(parse(b"4294967295", true), Ok(-1));
        assert_eq!(parse(b"2147483648", true), Ok(i32::MIN));
        assert_eq!(parse(b"4294967296", true), Err(()));
        assert_eq!(parse(b"0x100000000", true), Err(()));
    }

    #[test]
    fn junk_is_rejected() {
        for bad in [&b"+1"[..], b" 1", b"1 ", b"1a", b"\"1\"", b"-0x1", b"--1"] {
            assert_eq!(parse(bad, true), Err(()), "{:?}", core::str::from_utf8(bad));
        }
    }
}
