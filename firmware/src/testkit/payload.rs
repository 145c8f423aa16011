//! Length-framed payload lines read back from UART output, for tests: the one place the tests
//! reassemble a body (the harness's oracle reads them with the generated response decoder).

extern crate std;

use std::vec::Vec;

/// The payload lines `<prefix><n>,<n bytes>\r\n` in `out`, in order: their bytes joined, and
/// each line's length. Lines are read by their length, never by CR LF (a body may hold CR
/// LF); a line whose bytes have not all arrived ends the reading, so output still streaming
/// in can be read again later.
///
/// Panics on a length that is not a decimal number, or bytes not followed by CR LF: both
/// break the payload line's framing (`HTTP.RESPONSE.PAYLOAD_LINE`).
pub fn payloads(out: &[u8], prefix: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let (mut data, mut sizes, mut at) = (Vec::new(), Vec::new(), 0);
    while let Some(p) = out[at..].windows(prefix.len()).position(|w| w == prefix) {
        let start = at + p + prefix.len();
        let Some(comma) = out[start..].iter().position(|&b| b == b',') else {
            break;
        };
        let comma = start + comma;
        let n: usize = core::str::from_utf8(&out[start..comma])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("payload length {:?}", &out[start..comma]));
        let end = comma + 1 + n;
        if out.len() < end + 2 {
            break;
        }
        assert_eq!(
            &out[end..end + 2],
            b"\r\n",
            "payload line of {n} bytes not ended by CR LF"
        );
        data.extend_from_slice(&out[comma + 1..end]);
        sizes.push(n);
        at = end + 2;
    }
    (data, sizes)
}

#[cfg(test)]
mod tests {
    use super::payloads;

    #[test]
    fn lines_are_read_by_length_and_a_partial_one_waits() {
        let out = b"AT\r\n+HTTPCGET:4,a\r\nb\r\n+HTTPCGET:2,cd\r\n+HTTPCGET:4,ef";
        let (data, sizes) = payloads(out, b"+HTTPCGET:");
        assert_eq!(data, b"a\r\nbcd");
        assert_eq!(sizes, [4, 2]);
        assert_eq!(payloads(b"OK\r\n", b"+HTTPCGET:").1, [0usize; 0]);
    }

    #[test]
    #[should_panic(expected = "not ended by CR LF")]
    fn a_line_without_its_end_is_a_framing_error() {
        let _ = payloads(b"+HTTPCGET:2,abX\r\n", b"+HTTPCGET:");
    }
}
