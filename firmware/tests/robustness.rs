//! The engine never panics, never loses output and frames lines the same way however the UART
//! chunks its input.

use atspec_firmware::{Config, Engine, Pki};
use proptest::prelude::*;

fn cases(min: u32) -> u32 {
    std::env::var("ATSPEC_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(min)
}

/// Feeds `bytes` in the given chunk sizes, draining after each chunk like a board does.
fn feed(bytes: &[u8], chunks: &[usize]) -> (Vec<u8>, Engine) {
    let mut e = Engine::new(Config {
        pki: Pki {
            certs: 1,
            keys: 1,
            cas: 1,
        },
    });
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let mut at = 0;
    let mut sizes = chunks.iter().cycle();
    while at < bytes.len() {
        let n = (*sizes.next().unwrap()).clamp(1, bytes.len() - at);
        let mut chunk = &bytes[at..at + n];
        at += n;
        // Offer the chunk until the engine took all of it, draining in between as a board does.
        loop {
            let took = e.handle_uart(chunk);
            chunk = &chunk[took..];
            loop {
                let k = e.poll_transmit(&mut buf);
                if k == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..k]);
            }
            if chunk.is_empty() {
                break;
            }
            assert!(took > 0, "no progress with an empty output queue");
        }
    }
    (out, e)
}

fn uart_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => proptest::sample::select(vec![
            &b"AT\r\n"[..], b"ATE0\r\n", b"ATE1\r\n", b"AT+GMR\r\n", b"AT+SYSLOG=1\r\n", b"AT+SYSLOG?\r\n",
            b"AT+HTTPURLCFG=8\r\n", b"AT+HTTPURLCFG?\r\n", b"AT+HTTPCHEAD=4\r\n", b"AT+HTTPCHEAD?\r\n",
            b"AT+HTTPCFG=3,0,0\r\n", b"AT+RST\r\n", b"http://h", b"A: b", b"\r\n", b"\0",
        ]).prop_map(<[u8]>::to_vec),
        2 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => proptest::collection::vec(b'x'..=b'z', 200..300),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(2_000), ..ProptestConfig::default() })]

    /// Same bytes, any chunking: same output (no network transaction runs here, so nothing
    /// depends on chunk boundaries), nothing dropped, no panic.
    #[test]
    fn chunking_does_not_change_output(bytes in uart_bytes(), chunks in proptest::collection::vec(1usize..40, 1..8)) {
        let (whole, e1) = feed(&bytes, &[usize::MAX]);
        let (split, e2) = feed(&bytes, &chunks);
        prop_assert_eq!(e1.dropped_output(), 0);
        prop_assert_eq!(e2.dropped_output(), 0);
        prop_assert!(whole == split);
    }
}

#[test]
fn engine_state_is_fixed_size() {
    // All state is inline: the size is a constant of the type, whatever the engine has seen.
    let size = std::mem::size_of::<Engine>();
    println!("size_of::<Engine>() = {size} bytes");
    assert!(size < 16 * 1024, "engine state is {size} bytes");
}
