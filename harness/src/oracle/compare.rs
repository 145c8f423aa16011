//! Comparing device output with the oracle's expectation.
//!
//! Body payload lines may arrive in any number of pieces: both sides are normalized by merging
//! consecutive payload lines of the body's command into one, after checking every actual piece
//! (1 ≤ n ≤ rx size). A run of busy answers counts as one (`BUSY.REJECT`): a device answers
//! each chunk its UART driver delivers, and how a burst is divided into chunks is its own
//! (ESP-AT: per FIFO-threshold or idle event; atspec's board: per read). Everything else is
//! compared byte for byte.

use atspec_rt::decode::{Decoder, Event};

use super::{Expect, Loose};
use crate::bytes::escape;
use crate::syntax::device::Reply;
use crate::syntax::host;

/// Decodes output completely (as after the device went quiet).
pub fn decode(bytes: &[u8], prompt: bool) -> Vec<Event> {
    let mut d: Decoder = host::decoder();
    d.expect_prompt(prompt);
    let mut ev = d.feed(bytes);
    ev.extend(d.flush());
    if !d.pending().is_empty() {
        ev.push(Event::Line(d.pending().to_vec()));
    }
    ev
}

fn result_bytes(name: &str) -> &'static [u8] {
    Reply::ALL
        .iter()
        .find(|r| r.name() == name)
        .map_or(&b""[..], |r| r.bytes())
}

fn prefix_of(command: &str) -> String {
    format!("+{}:", command.trim_start_matches("AT+"))
}

/// Renders events back to bytes, merging consecutive payloads of `merge`.
fn render(events: &[Event], merge: Option<&str>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Payload { command, data } => {
                let mut all = data.clone();
                if Some(*command) == merge {
                    while let Some(Event::Payload {
                        command: c2,
                        data: d2,
                    }) = events.get(i + 1)
                    {
                        if c2 != command {
                            break;
                        }
                        all.extend_from_slice(d2);
                        i += 1;
                    }
                }
                out.extend_from_slice(prefix_of(command).as_bytes());
                out.extend_from_slice(format!("{},", all.len()).as_bytes());
                out.extend_from_slice(&all);
                if *command != "AT+HTTPURLCFG" {
                    out.extend_from_slice(b"\r\n");
                }
            }
            Event::Echo(b) => out.extend_from_slice(b),
            Event::Result(name) => out.extend_from_slice(result_bytes(name)),
            Event::ErrCode(c) => out.extend_from_slice(&super::err_code_line(*c)),
            Event::Line(l) => {
                out.extend_from_slice(l);
                out.extend_from_slice(b"\r\n");
            }
        }
        i += 1;
    }
    out
}

/// Output with consecutive payload lines of one command merged into one, whatever their
/// sizes (bytes that do not decode cleanly are returned as they are).
pub fn merge_pieces(bytes: &[u8]) -> Vec<u8> {
    let events = decode(bytes, false);
    if render(&events, None) != bytes {
        return bytes.to_vec();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let end = match &events[i] {
            Event::Payload { command, .. } => {
                let mut j = i + 1;
                while matches!(&events.get(j), Some(Event::Payload { command: c, .. }) if c == command)
                {
                    j += 1;
                }
                out.extend(render(&events[i..j], Some(command)));
                j
            }
            _ => {
                out.extend(render(&events[i..i + 1], None));
                i + 1
            }
        };
        i = end;
    }
    out
}

/// Normalized bytes: body pieces merged, when the events render back to exactly `bytes`
/// (otherwise the raw bytes, so that any unusual byte shows up in the diff).
fn normalize(bytes: &[u8], x: &Expect) -> Vec<u8> {
    let events = decode(bytes, x.prompt);
    if render(&events, None) != bytes {
        return one_busy(bytes.to_vec());
    }
    one_busy(render(&events, x.merge))
}

/// Consecutive busy answers (each with its ERR CODE line when SYSLOG is on) as one.
fn one_busy(mut bytes: Vec<u8>) -> Vec<u8> {
    let busy = Reply::Busy.bytes();
    let coded = [
        &super::err_code_line(crate::syntax::device::err_code::BUSY)[..],
        busy,
    ]
    .concat();
    for unit in [&coded[..], busy] {
        let twice = [unit, unit].concat();
        while let Some(at) = bytes.windows(twice.len()).position(|w| w == twice) {
            bytes.drain(at..at + unit.len());
        }
    }
    bytes
}

/// Why output did not conform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// One line: what rule broke.
    pub what: String,
    /// The expected bytes (normalized), escaped.
    pub expected: String,
    /// The actual bytes (normalized), escaped.
    pub actual: String,
    /// Offset of the first differing byte in the normalized strings.
    pub at: usize,
}

/// Whether `actual` (read while the device has gone quiet) can no longer become the expected
/// answer. Used to fail a step at once with its diff instead of waiting out the step timeout
/// ("hung" is kept for silence):
/// - output that is not a prefix of the answer has diverged; when the answer has body pieces,
///   a difference inside the body counts only once the whole body is in (a body may pause
///   between pieces of other sizes), and one after it always does;
/// - output the answer lacks only framing bytes of (`ERROR` without its CR LF) has diverged
///   too: a device that went quiet there will not add them.
///
/// A loose expectation never diverges.
pub fn diverged(x: &Expect, actual: &[u8]) -> bool {
    if x.loose.is_some() || actual.is_empty() {
        return false;
    }
    let want = normalize(&x.output, x);
    let got = normalize(actual, x);
    if want.starts_with(&got) {
        // Only line ends missing: the answer is over without them.
        return want[got.len()..].iter().all(|b| matches!(b, b'\r' | b'\n'))
            && got.len() < want.len();
    }
    let at = want
        .iter()
        .zip(&got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    match x.merge {
        None => true,
        Some(cmd) => {
            let first_payload = find(&want, prefix_of(cmd).as_bytes()).unwrap_or(want.len());
            if at < first_payload {
                return true;
            }
            // The body so far must begin the expected body, whatever its pieces; once
            // something else follows it, the body is over and must be the whole of it.
            let (Some((w, wend)), Some((g, gend))) = (body(&want, cmd), body(&got, cmd)) else {
                return false;
            };
            if !w.starts_with(&g) {
                return true;
            }
            if gend == got.len() {
                return false;
            }
            let (wr, gr) = (&want[wend..], &got[gend..]);
            w != g
                || !wr.starts_with(gr)
                || (gr.len() < wr.len()
                    && wr[gr.len()..].iter().all(|b| matches!(b, b'\r' | b'\n')))
        }
    }
}

/// The body in `b` as the decoder reads it: the data of the first run of `command`'s payload
/// lines, and where that run ends; `None` when `b` does not decode back to itself or has none.
fn body(b: &[u8], command: &str) -> Option<(Vec<u8>, usize)> {
    let events = decode(b, false);
    if render(&events, None) != b {
        return None;
    }
    let first = events
        .iter()
        .position(|e| matches!(e, Event::Payload { command: c, .. } if *c == command))?;
    let mut data = Vec::new();
    let mut end = first;
    while let Some(Event::Payload {
        command: c,
        data: d,
    }) = events.get(end)
    {
        if *c != command {
            break;
        }
        data.extend_from_slice(d);
        end += 1;
    }
    Some((data, render(&events[..end], None).len()))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Compares actual output with the expectation.
pub fn check(x: &Expect, actual: &[u8]) -> Result<(), Mismatch> {
    if let Some(loose) = x.loose {
        return check_loose(loose, x, actual);
    }
    // Every actual body piece within 1..=rx.
    if let Some(cmd) = x.merge {
        for e in decode(actual, x.prompt) {
            if let Event::Payload { command, data } = e
                && command == cmd
                && (data.is_empty() || data.len() > x.rx_limit)
            {
                return Err(Mismatch {
                    what: format!(
                        "a {cmd} payload line holds {} bytes; each must be 1..={} (HTTP.RESPONSE.PIECES)",
                        data.len(),
                        x.rx_limit
                    ),
                    expected: String::new(),
                    actual: escape(actual),
                    at: 0,
                });
            }
        }
    }
    let want = normalize(&x.output, x);
    let got = normalize(actual, x);
    if want == got {
        return Ok(());
    }
    let at = want
        .iter()
        .zip(&got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    Err(Mismatch {
        what: format!("output differs at byte {at}"),
        expected: escape(&want),
        actual: escape(&got),
        at,
    })
}

fn check_loose(loose: Loose, x: &Expect, actual: &[u8]) -> Result<(), Mismatch> {
    let events = decode(actual, x.prompt);
    let finals: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Result(r) if Reply::ALL.iter().any(|x| x.name() == *r && x.is_final()) => {
                Some(*r)
            }
            _ => None,
        })
        .collect();
    let fail = |what: String| Mismatch {
        what,
        expected: escape(&x.output),
        actual: escape(actual),
        at: 0,
    };
    match loose {
        Loose::AnyFinal if finals.len() == 1 => Ok(()),
        Loose::AnyFinal => Err(fail(format!("expected one final result, got {finals:?}"))),
        Loose::VersionLines(claim) => {
            // The echo (when on) is the first line; then version lines; then OK.
            let lines: Vec<&Vec<u8>> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Line(l) => Some(l),
                    _ => None,
                })
                .collect();
            // The expectation is the echo (when on) and OK: any other start is the echo line.
            let echo_lines = usize::from(!x.output.starts_with(Reply::Ok.bytes()));
            let version = lines.len().saturating_sub(echo_lines);
            let printable = lines
                .iter()
                .skip(echo_lines)
                .all(|l| !l.is_empty() && l.iter().all(|b| (0x20..0x7f).contains(b)));
            // The device's own version line stands for the profile when the profile is the
            // one that version maps to (itself, or the nearest lower one): a 3.2 device is
            // judged by ESP-AT 3.1's profile and says 3.2.
            let claims = |v: (u16, u16)| {
                lines.iter().any(|l| {
                    atspec_rt::profile::at_version(l).is_some_and(|dv| {
                        dv == v
                            || crate::syntax::device::profile_for_version(dv)
                                .and_then(|p| p.esp_at_version)
                                == Some(v)
                                && dv.0 == v.0
                    })
                })
            };
            if let Some((a, b)) = claim
                && !claims((a, b))
            {
                Err(fail(format!(
                    "a device judged as ESP-AT {a}.{b} must say so: no `AT version:{a}.{b}.…` line (BASE.GMR.AT_VERSION)"
                )))
            } else if finals == ["ok"]
                && version >= 1
                && printable
                && actual.ends_with(Reply::Ok.bytes())
            {
                Ok(())
            } else {
                Err(fail("AT+GMR must print one or more printable lines, then OK (BASE.GMR.VERSION_LINES)".into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::terminals;

    #[test]
    fn a_burst_may_be_answered_busy_once_per_chunk() {
        let busy = "ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n";
        let x = Expect {
            output: format!("{busy}+HTTPCGET:2,ok\r\n\r\nOK\r\n").into_bytes(),
            ..Expect::default()
        };
        let thrice = format!("{busy}{busy}{busy}+HTTPCGET:2,ok\r\n\r\nOK\r\n");
        assert_eq!(check(&x, thrice.as_bytes()), Ok(()));
        // But not none, and not a bare busy where the coded one is due.
        assert!(check(&x, b"+HTTPCGET:2,ok\r\n\r\nOK\r\n").is_err());
        let bare = "\r\nbusy p...\r\n+HTTPCGET:2,ok\r\n\r\nOK\r\n";
        assert!(check(&x, bare.as_bytes()).is_err());
    }

    fn expect(output: &[u8]) -> Expect {
        Expect {
            output: output.to_vec(),
            merge: Some("AT+HTTPCGET"),
            rx_limit: 4,
            ..Expect::default()
        }
    }

    #[test]
    fn pieces_merge_but_every_piece_is_bounded() {
        let x = expect(b"+HTTPCGET:6,ab\r\nOK\r\n\r\nOK\r\n");
        assert!(check(&x, b"+HTTPCGET:2,ab\r\n+HTTPCGET:4,\r\nOK\r\n\r\nOK\r\n").is_ok());
        assert!(check(&x, b"+HTTPCGET:3,ab\r\r\n+HTTPCGET:3,\nOK\r\n\r\nOK\r\n").is_ok());
        assert!(check(&x, b"+HTTPCGET:3,abX\r\n+HTTPCGET:3,\nOK\r\n\r\nOK\r\n").is_err());
        let e = check(&x, b"+HTTPCGET:6,ab\r\nOK\r\n\r\nOK\r\n").unwrap_err();
        assert!(e.what.contains("HTTP.RESPONSE.PIECES"), "{e:?}");
    }

    /// BASE.GMR.AT_VERSION both ways: a device judged by ESP-AT 3.1's profile may say 3.1 or a
    /// version that maps to it (3.2), never another one (3.0, 4.1).
    #[test]
    fn a_version_claim_stands_for_the_profile_it_maps_to() {
        let x = Expect {
            output: b"\r\nOK\r\n".to_vec(),
            loose: Some(Loose::VersionLines(Some((3, 1)))),
            ..Expect::default()
        };
        let gmr = |v: &str| format!("AT version:{v}(Jan 1 2025)\r\nSDK version:v5\r\n\r\nOK\r\n");
        assert_eq!(check(&x, gmr("3.1.0.0").as_bytes()), Ok(()));
        assert_eq!(check(&x, gmr("3.2.0.0").as_bytes()), Ok(()));
        for other in ["3.0.0.0", "4.1.0.0", "2.2.0.0"] {
            let e = check(&x, gmr(other).as_bytes()).unwrap_err();
            assert!(e.what.contains("BASE.GMR.AT_VERSION"), "{other}: {e:?}");
        }
    }

    /// Divergence is judged at quiet, not by timeout: a result word missing its framing, or
    /// a difference after the body; but never a body that may still grow.
    #[test]
    fn output_that_cannot_become_the_answer_diverges() {
        let x = Expect {
            output: b"AT+HTTPCPOST=\"u\",1\r\n+HTTPCPOST:6,abcdef\r\n\r\nSEND OK\r\n".to_vec(),
            merge: Some("AT+HTTPCPOST"),
            rx_limit: 4,
            ..Expect::default()
        };
        let echo = "AT+HTTPCPOST=\"u\",1\r\n";
        let d = |tail: &str| diverged(&x, format!("{echo}{tail}").as_bytes());
        // Still on its way: a prefix, a body piece of another size.
        assert!(!d(""));
        assert!(!d("+HTTPCPOST:2,ab\r\n"));
        // Another body: it cannot become this one, whatever comes.
        assert!(d("+HTTPCPOST:3,xyz\r\n"));
        // A body shorter than the expected one, ended by a result word: it is over.
        let longer = Expect {
            output: b"+HTTPCPUT:14,tmplanded here\r\n\r\nSEND OK\r\n".to_vec(),
            merge: Some("AT+HTTPCPUT"),
            rx_limit: 4,
            ..Expect::default()
        };
        assert!(diverged(&longer, b"+HTTPCPUT:3,tmp\r\nSEND OK\r\n"));
        assert!(diverged(&longer, b"+HTTPCPUT:3,tmp\r\n\r\nSEND OK\r\n"));
        assert!(!diverged(&longer, b"+HTTPCPUT:3,tmp\r\n"));
        assert!(!diverged(
            &longer,
            b"+HTTPCPUT:3,tmp\r\n+HTTPCPUT:11,landed here\r\n\r\nSEND"
        ));
        assert!(!d("+HTTPCPOST:6,abcdef\r\n\r\nSEND"));
        // Over, wrongly: SEND OK without its leading CR LF; without its trailing one.
        assert!(d("+HTTPCPOST:6,abcdef\r\nSEND OK\r\n"));
        assert!(d("+HTTPCPOST:2,ab\r\n+HTTPCPOST:4,cdef\r\nSEND OK\r\n"));
        assert!(d("+HTTPCPOST:6,abcdef\r\n\r\nSEND OK"));
        // Extra framing after the result word.
        assert!(d("+HTTPCPOST:6,abcdef\r\n\r\nSEND OK\r\n\r\n"));
        let plain = Expect {
            output: b"\r\nERROR\r\n".to_vec(),
            ..Expect::default()
        };
        assert!(diverged(&plain, b"\r\nERROR"));
        assert!(diverged(&plain, b"ERROR\r\n"));
        assert!(!diverged(&plain, b"\r\nERR"));
    }

    #[test]
    fn other_bytes_are_exact() {
        let x = expect(b"ERR CODE:0x010a7194\r\n\r\nERROR\r\n");
        assert!(check(&x, b"ERR CODE:0x010a7194\r\n\r\nERROR\r\n").is_ok());
        let e = check(&x, b"ERR CODE:0x010A7194\r\n\r\nERROR\r\n").unwrap_err();
        assert_eq!(e.at, 14);
        assert_eq!(terminals(b"\r\nOK\r\n\r\nready\r\n", false), 2);
        assert_eq!(terminals(b"\r\nOK\r\n\r\n>", true), 1);
    }
}
