//! Robustness: random bytes, overlong lines and data-mode misuse. The device must answer as the
//! spec says and stay responsive (`AT` → `OK`) after each.

use super::{Check, bytes, l};
use crate::syntax::host::Clause;
use crate::world::step::Step;

/// Deterministic noise: every byte value, CR LF and NUL among them, no `AT+RST`.
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect()
}

pub(super) fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "robust.random_bytes",
            &[Clause::FramingLineNul, Clause::FramingLinePrefix],
            |_| {
                vec![
                    bytes(noise(700, 7)),
                    l(""),
                    l("AT"),
                    bytes(noise(3000, 99)),
                    l(""),
                    l("AT"),
                ]
            },
        ),
        Check::new(
            "robust.overlong_lines",
            &[
                Clause::FramingLineOverflow,
                Clause::FramingLineMaxLength,
                Clause::FramingLineOverflowChunk,
            ],
            |_| {
                vec![
                    bytes(vec![b'A'; 5000]),
                    l(""),
                    l("AT"),
                    // Overflowed in one write, AT in the next: byte-wise the tail makes the
                    // line a non-AT one; a device that discards the whole chunk runs `AT`.
                    bytes(vec![b'B'; 300]),
                    l("AT"),
                    l("AT"),
                    l(format!("AT+HTTPCGET=\"http://x/{}\"", "y".repeat(2000))),
                    l("AT"),
                ]
            },
        ),
        Check::new("robust.data_mode_misuse", &[Clause::EchoDataModeOff], |c| {
            vec![
                // Commands typed during a data phase are data.
                l("AT+HTTPURLCFG=20"),
                bytes("http://"),
                l("AT+RST"),
                bytes("abcde"),
                l("AT+HTTPURLCFG?"),
                // Data sent without a prompt is command input.
                bytes(b"\x00\xff{\"k\":1}\r\n"),
                l("AT"),
                // A data phase finished by bytes of the next line.
                l(format!("AT+HTTPCPOST=\"{}\",3", c.wiremock_url("/m"))),
                bytes(b"xyzAT\r\n"),
                l("AT"),
            ]
        })
        // Its data phases are short: the silence test is httpcsend.prompt_and_no_timeout.
        .touches(&[Clause::HttpcsendDataNoTimeout]),
        Check::new("robust.huge_header_block", &[], |c| {
            // How large a header block a device reads is its own limit: success or the
            // network-failure path are both fine, as long as it answers and stays responsive.
            vec![
                Step::mock(
                    crate::world::scenario::Scenario::ok(b"after the headers")
                        .fault(crate::world::scenario::Fault::HugeHeaders(24 * 1024)),
                ),
                l(format!("AT+HTTPCGET=\"{}\"", c.raw_url("/huge"))),
                l(format!("AT+HTTPCLIENT=1,,\"{}\",,,1", c.raw_url("/huge"))),
                l("AT"),
            ]
        })
        // Success or the network-failure path both pass, so this proves neither.
        .touches(&[Clause::HttpcgetNetworkFailure, Clause::HttpStatusBelow400]),
        Check::new("robust.busy_flood", &[Clause::BusyReject], |c| {
            vec![
                Step::mock(crate::world::scenario::Scenario::ok(b"slow").delayed(200)),
                Step::line_then_busy(
                    format!("AT+HTTPCGET=\"{}\"", c.raw_url("/s")),
                    noise(300, 5)
                        .into_iter()
                        .filter(|b| *b != b'A')
                        .collect::<Vec<u8>>(),
                ),
                l("AT"),
            ]
        }),
    ]
}
