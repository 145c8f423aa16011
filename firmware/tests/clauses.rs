//! One row per clause the engine implements so far: a script of UART input and the exact
//! bytes the engine must answer. Rows are keyed by the generated `Clause`, so a clause removed
//! from the spec breaks this table at compile time.

#[macro_use]
mod common;

use atspec_firmware::device::Clause;
use atspec_firmware::{Config, Engine, Pki};
use common::{drain, show};

type Step = (&'static [u8], &'static [u8]);

fn engine() -> Engine {
    Engine::new(Config {
        pki: Pki {
            certs: 1,
            keys: 1,
            cas: 2,
        },
    })
}

fn run(clause: Clause, steps: &[Step]) {
    let mut e = engine();
    for (i, (input, expected)) in steps.iter().enumerate() {
        assert_eq!(
            e.handle_uart(input),
            input.len(),
            "{} step {i}: input not taken",
            clause.id()
        );
        let got = drain(&mut e);
        assert_eq!(
            show(&got),
            show(expected),
            "{} step {i}: input {}",
            clause.id(),
            show(input)
        );
    }
    assert_eq!(e.dropped_output(), 0);
}

const QUIET: Step = (b"ATE0\r\n", b"ATE0\r\n\r\nOK\r\n");
const SYSLOG_ON: Step = (b"AT+SYSLOG=1\r\n", b"\r\nOK\r\n");

fn long_syslog_line(total_with_crlf: usize) -> Vec<u8> {
    // `AT+SYSLOG=` then zeros and a final 1: a valid command of any length.
    let mut l = b"AT+SYSLOG=".to_vec();
    l.resize(total_with_crlf - 3, b'0');
    l.extend_from_slice(b"1\r\n");
    l
}

#[test]
fn framing() {
    use Clause::*;
    run(
        FramingLineTerminator,
        &[
            QUIET,
            (b"AT\r", b""),
            (b"\n", b"\r\nOK\r\n"),
            (b"AT\n\r\n", b"\r\nERROR\r\n"),
        ],
    );
    run(
        FramingLinePrefix,
        &[
            QUIET,
            SYSLOG_ON,
            (b"XT\r\n", b"ERR CODE:0x01030000\r\n\r\nERROR\r\n"),
            (b"aT\r\n", b"\r\nOK\r\n"),
        ],
    );
    run(FramingLineEmpty, &[QUIET, (b"\r\n", b"\r\nERROR\r\n")]);
    run(FramingLineNul, &[QUIET, (b"junk\0AT\r\n", b"\r\nOK\r\n")]);
    run(
        FramingNameCaseInsensitive,
        &[QUIET, (b"at+syslog?\r\n", b"+SYSLOG:0\r\n\r\nOK\r\n")],
    );
    run(
        FramingFormMissing,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+HTTPCLIENT=?\r\n", b"\r\nERROR\r\n"),
            (b"AT+HTTPCFG?\r\n", b"\r\nERROR\r\n"),
        ],
    );
    run(
        FramingFormTrailingJunk,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+SYSLOG?x\r\n", b"ERR CODE:0x01090000\r\n\r\nERROR\r\n"),
        ],
    );
    run(
        FramingCommandUnknown,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+NOPE\r\n", b"ERR CODE:0x01090000\r\n\r\nERROR\r\n"),
        ],
    );
    run(
        ParamMaxCount,
        &[
            QUIET,
            SYSLOG_ON,
            (
                b"AT+SYSLOG=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\r\n",
                b"ERR CODE:0x01090000\r\n\r\nERROR\r\n",
            ),
        ],
    );
    run(
        ParamIntSyntax,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+SYSLOG=x\r\n", b"ERR CODE:0x01080000\r\n\r\nERROR\r\n"),
        ],
    );
    run(
        ParamMissingIndex,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+HTTPCFG=1\r\n", b"ERR CODE:0x01080001\r\n\r\nERROR\r\n"),
        ],
    );
    run(
        ResultInfoLineSeparation,
        &[QUIET, (b"AT+SYSLOG?\r\n", b"+SYSLOG:0\r\n\r\nOK\r\n")],
    );
}

#[test]
fn line_limit_and_overflow() {
    let mut e = engine();
    let _ = e.handle_uart(b"ATE0\r\n");
    drain(&mut e);
    // 256 bytes with CR LF: accepted (`FRAMING.LINE.MAX_LENGTH`).
    let _ = e.handle_uart(&long_syslog_line(256));
    assert_eq!(drain(&mut e), b"\r\nOK\r\n");
    // 257: the buffer overflows at the CR, and what is left is an empty line.
    let _ = e.handle_uart(b"AT+SYSLOG=1\r\n");
    drain(&mut e);
    let _ = e.handle_uart(&long_syslog_line(257));
    assert_eq!(
        show(&drain(&mut e)),
        show(b"ERR CODE:0x01030000\r\n\r\nERROR\r\n")
    );
    // `FRAMING.LINE.OVERFLOW`: after 256 discarded bytes, a tail starting with AT runs.
    let mut junk = vec![b'x'; 256];
    junk.extend_from_slice(b"AT\r\n");
    let _ = e.handle_uart(&junk);
    assert_eq!(drain(&mut e), b"\r\nOK\r\n");
    proves!(FramingLineMaxLength, FramingLineOverflow);
}

#[test]
fn echo() {
    use Clause::*;
    run(EchoDefaultOn, &[(b"AT\r\n", b"AT\r\n\r\nOK\r\n")]);
    run(
        EchoSwitch,
        &[
            QUIET,
            (b"AT\r\n", b"\r\nOK\r\n"),
            (b"ATE1\r\n", b"\r\nOK\r\n"),
            (b"AT\r\n", b"AT\r\n\r\nOK\r\n"),
        ],
    );
    run(
        EchoBytes,
        &[(b"A", b"A"), (b"T\r", b"T\r"), (b"\n", b"\n\r\nOK\r\n")],
    );
    run(
        EchoDataModeOff,
        &[
            (b"AT+HTTPCHEAD=6\r\n", b"AT+HTTPCHEAD=6\r\n\r\nOK\r\n\r\n>"),
            (b"X-A: 1", b"\r\nOK\r\n"),
        ],
    );
}

#[test]
fn base_commands() {
    use Clause::*;
    run(BaseAtOk, &[QUIET, (b"AT\r\n", b"\r\nOK\r\n")]);
    let gmr = format!(
        "AT version:atspec {}\r\nSpec version:esp-at-http 1.0.0\r\n\r\nOK\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let gmr: &'static [u8] = Box::leak(gmr.into_bytes().into_boxed_slice());
    run(BaseGmrVersionLines, &[QUIET, (b"AT+GMR\r\n", gmr)]);
    run(
        BaseRstReady,
        &[QUIET, (b"AT+RST\r\n", b"\r\nOK\r\n\r\nready\r\n")],
    );
    run(
        BaseRstClearsState,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+HTTPURLCFG=8\r\n", b"\r\nOK\r\n\r\n>"),
            (b"http://h", b"\r\nSET OK\r\n"),
            (b"AT+HTTPCHEAD=4\r\n", b"\r\nOK\r\n\r\n>"),
            (b"A: b", b"\r\nOK\r\n"),
            (b"AT+RST\r\n", b"\r\nOK\r\n\r\nready\r\n"),
            // Echo is back on, SYSLOG off, URL and headers gone.
            (b"AT+SYSLOG?\r\n", b"AT+SYSLOG?\r\n+SYSLOG:0\r\n\r\nOK\r\n"),
            (b"AT+HTTPURLCFG?\r\n", b"AT+HTTPURLCFG?\r\n\r\nOK\r\n"),
            (b"AT+HTTPCHEAD?\r\n", b"AT+HTTPCHEAD?\r\n\r\nOK\r\n"),
        ],
    );
    run(
        SyslogSet,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+SYSLOG=2\r\n", b"\r\nERROR\r\n"),
            (b"AT+SYSLOG=0\r\n", b"\r\nOK\r\n"),
            (b"AT+NOPE\r\n", b"\r\nERROR\r\n"),
        ],
    );
    run(
        SyslogQuery,
        &[
            QUIET,
            SYSLOG_ON,
            (b"AT+SYSLOG?\r\n", b"+SYSLOG:1\r\n\r\nOK\r\n"),
        ],
    );
    run(
        ErrcodeSyslogOnly,
        &[QUIET, (b"AT+NOPE\r\n", b"\r\nERROR\r\n")],
    );
}

#[test]
fn httpurlcfg() {
    use Clause::*;
    run(
        HttpurlcfgLengthRange,
        &[
            QUIET,
            (b"AT+HTTPURLCFG=7\r\n", b"\r\nERROR\r\n"),
            (b"AT+HTTPURLCFG=8193\r\n", b"\r\nERROR\r\n"),
        ],
    );
    run(
        HttpurlcfgPrompt,
        &[
            QUIET,
            (b"AT+HTTPURLCFG=10\r\n", b"\r\nOK\r\n\r\n>"),
            (b"http:", b""),
            (b"//a/b", b"\r\nSET OK\r\n"),
        ],
    );
    run(
        HttpurlcfgQuery,
        &[
            QUIET,
            (b"AT+HTTPURLCFG?\r\n", b"\r\nOK\r\n"),
            (
                b"AT+HTTPURLCFG=10\r\nhttp://a/b",
                b"\r\nOK\r\n\r\n>\r\nSET OK\r\n",
            ),
            (
                b"AT+HTTPURLCFG?\r\n",
                b"+HTTPURLCFG:10,http://a/b\r\nOK\r\n",
            ),
        ],
    );
    run(
        HttpurlcfgClear,
        &[
            QUIET,
            (
                b"AT+HTTPURLCFG=8\r\nhttp://h",
                b"\r\nOK\r\n\r\n>\r\nSET OK\r\n",
            ),
            (b"AT+HTTPURLCFG=0\r\n", b"\r\nOK\r\n"),
            (b"AT+HTTPURLCFG?\r\n", b"\r\nOK\r\n"),
        ],
    );
    run(
        HttpurlcfgNul,
        &[
            QUIET,
            (
                b"AT+HTTPURLCFG=8\r\nhttp://h",
                b"\r\nOK\r\n\r\n>\r\nSET OK\r\n",
            ),
            (
                b"AT+HTTPURLCFG=8\r\nhttp\0//x",
                b"\r\nOK\r\n\r\n>\r\nERROR\r\n",
            ),
            (b"AT+HTTPURLCFG?\r\n", b"+HTTPURLCFG:8,http://h\r\nOK\r\n"),
        ],
    );
    run(
        HttpurlcfgStoreReplace,
        &[
            QUIET,
            (
                b"AT+HTTPURLCFG=8\r\nhttp://h",
                b"\r\nOK\r\n\r\n>\r\nSET OK\r\n",
            ),
            (
                b"AT+HTTPURLCFG=9\r\nhttp://h2",
                b"\r\nOK\r\n\r\n>\r\nSET OK\r\n",
            ),
            (b"AT+HTTPURLCFG?\r\n", b"+HTTPURLCFG:9,http://h2\r\nOK\r\n"),
        ],
    );
    run(
        HttpurlcfgParamCount,
        &[QUIET, (b"AT+HTTPURLCFG=10,1\r\n", b"\r\nERROR\r\n")],
    );
}

#[test]
fn httpurlcfg_takes_the_longest_url() {
    let mut e = engine();
    let _ = e.handle_uart(b"ATE0\r\nAT+HTTPURLCFG=8192\r\n");
    drain(&mut e);
    let mut url = b"http://h/".to_vec();
    url.resize(8192, b'a');
    // Arriving in uneven pieces, as from a UART.
    for piece in url.chunks(777) {
        let _ = e.handle_uart(piece);
    }
    assert_eq!(drain(&mut e), b"\r\nSET OK\r\n");
    let _ = e.handle_uart(b"AT+HTTPURLCFG?\r\n");
    let mut expected = b"+HTTPURLCFG:8192,".to_vec();
    expected.extend_from_slice(&url);
    expected.extend_from_slice(b"\r\nOK\r\n");
    let mut got = Vec::new();
    loop {
        let chunk = drain(&mut e);
        if chunk.is_empty() {
            break;
        }
        got.extend(chunk);
    }
    assert_eq!(got.len(), expected.len());
    assert!(got == expected);
}

#[test]
fn httpchead() {
    use Clause::*;
    run(
        HttpcheadClear,
        &[
            QUIET,
            (b"AT+HTTPCHEAD=4\r\nA: b", b"\r\nOK\r\n\r\n>\r\nOK\r\n"),
            (b"AT+HTTPCHEAD=0\r\n", b"\r\nOK\r\n"),
            (b"AT+HTTPCHEAD?\r\n", b"\r\nOK\r\n"),
        ],
    );
    run(
        HttpcheadPrompt,
        &[
            QUIET,
            (b"AT+HTTPCHEAD=18\r\n", b"\r\nOK\r\n\r\n>"),
            (b"Range: bytes=0-255", b"\r\nOK\r\n"),
        ],
    );
    run(
        HttpcheadNeedColon,
        &[
            QUIET,
            (b"AT+HTTPCHEAD=5\r\nRange", b"\r\nOK\r\n\r\n>\r\nERROR\r\n"),
            (b"AT+HTTPCHEAD?\r\n", b"\r\nOK\r\n"),
        ],
    );
    run(
        HttpcheadQuery,
        &[
            QUIET,
            (
                b"AT+HTTPCHEAD=18\r\nRange: bytes=0-255",
                b"\r\nOK\r\n\r\n>\r\nOK\r\n",
            ),
            (b"AT+HTTPCHEAD=6\r\nX-A: 1", b"\r\nOK\r\n\r\n>\r\nOK\r\n"),
            (
                b"AT+HTTPCHEAD?\r\n",
                b"+HTTPCHEAD:0,\"X-A: 1\"\r\n+HTTPCHEAD:1,\"Range: bytes=0-255\"\r\n\r\nOK\r\n",
            ),
        ],
    );
    run(
        HttpcheadStoreReplaceSameName,
        &[
            QUIET,
            (b"AT+HTTPCHEAD=4\r\nA: 1", b"\r\nOK\r\n\r\n>\r\nOK\r\n"),
            (b"AT+HTTPCHEAD=4\r\nB: 2", b"\r\nOK\r\n\r\n>\r\nOK\r\n"),
            (b"AT+HTTPCHEAD=4\r\nA: 3", b"\r\nOK\r\n\r\n>\r\nOK\r\n"),
            (b"AT+HTTPCHEAD=4\r\na: 4", b"\r\nOK\r\n\r\n>\r\nOK\r\n"),
            (b"AT+HTTPCHEAD?\r\n", b"+HTTPCHEAD:0,\"a: 4\"\r\n+HTTPCHEAD:1,\"B: 2\"\r\n+HTTPCHEAD:2,\"A: 3\"\r\n\r\nOK\r\n"),
        ],
    );
    run(
        HttpcheadStoreVerbatim,
        &[
            QUIET,
            (b"AT+HTTPCHEAD=7\r\nA:  x  ", b"\r\nOK\r\n\r\n>\r\nOK\r\n"),
            (
                b"AT+HTTPCHEAD?\r\n",
                b"+HTTPCHEAD:0,\"A:  x  \"\r\n\r\nOK\r\n",
            ),
        ],
    );
    run(
        HttpcheadLengthRange,
        &[
            QUIET,
            (b"AT+HTTPCHEAD=-1\r\n", b"\r\nERROR\r\n"),
            (b"AT+HTTPCHEAD=5000\r\n", b"\r\nERROR\r\n"),
        ],
    );
    run(
        HttpcheadParamCount,
        &[QUIET, (b"AT+HTTPCHEAD=4,1\r\n", b"\r\nERROR\r\n")],
    );
    // Bytes after the data are command input again.
    run(
        BusyAfterData,
        &[(
            b"AT+HTTPCHEAD=6\r\nX-A: 1AT\r\n",
            b"AT+HTTPCHEAD=6\r\n\r\nOK\r\n\r\n>\r\nOK\r\nAT\r\n\r\nOK\r\n",
        )],
    );
}

#[test]
fn httpcfg() {
    use Clause::*;
    run(
        HttpcfgModeRange,
        &[
            QUIET,
            (b"AT+HTTPCFG=4\r\n", b"\r\nERROR\r\n"),
            (b"AT+HTTPCFG=-1\r\n", b"\r\nERROR\r\n"),
        ],
    );
    run(
        HttpcfgIndexesMode0,
        &[
            QUIET,
            (b"AT+HTTPCFG=0\r\n", b"\r\nOK\r\n"),
            (b"AT+HTTPCFG=0,0,0\r\n", b"\r\nERROR\r\n"),
        ],
    );
    run(
        HttpcfgIndexesModes13,
        &[
            QUIET,
            (b"AT+HTTPCFG=2,0\r\n", b"\r\nERROR\r\n"),
            (b"AT+HTTPCFG=2,0,1\r\n", b"\r\nOK\r\n"),
        ],
    );
    run(
        HttpcfgNoCert,
        &[
            QUIET,
            (b"AT+HTTPCFG=1,1,0\r\n", b"NO CERT FOUND\r\n\r\nERROR\r\n"),
            (b"AT+HTTPCFG=3,0,0\r\n", b"\r\nOK\r\n"),
        ],
    );
    run(
        HttpcfgNoCa,
        &[
            QUIET,
            (b"AT+HTTPCFG=2,0,2\r\n", b"NO CA FOUND\r\n\r\nERROR\r\n"),
            (b"AT+HTTPCFG=3,0,5\r\n", b"NO CA FOUND\r\n\r\nERROR\r\n"),
        ],
    );
}

#[test]
fn no_cert_key_mismatch_reports_the_key() {
    let mut e = Engine::new(Config {
        pki: Pki {
            certs: 2,
            keys: 1,
            cas: 1,
        },
    });
    let _ = e.handle_uart(b"ATE0\r\nAT+HTTPCFG=1,1,0\r\n");
    assert_eq!(
        show(&drain(&mut e)),
        show(b"ATE0\r\n\r\nOK\r\nNO PRVT_KEY FOUND\r\n\r\nERROR\r\n")
    );
}

#[test]
fn long_header_listing_streams_in_order() {
    let mut e = engine();
    let _ = e.handle_uart(b"ATE0\r\n");
    drain(&mut e);
    let mut expected = Vec::new();
    for i in 0..16 {
        let h = format!("X-H{i:02}: {}", "v".repeat(40));
        let _ = e.handle_uart(format!("AT+HTTPCHEAD={}\r\n", h.len()).as_bytes());
        let _ = e.handle_uart(h.as_bytes());
        assert_eq!(drain(&mut e), b"\r\nOK\r\n\r\n>\r\nOK\r\n");
        expected.insert(0, h);
    }
    let _ = e.handle_uart(b"AT+HTTPCHEAD?\r\n");
    let mut want = String::new();
    for (i, h) in expected.iter().enumerate() {
        want.push_str(&format!("+HTTPCHEAD:{i},\"{h}\"\r\n"));
    }
    want.push_str("\r\nOK\r\n");
    let mut out = [0u8; 100];
    let mut got = Vec::new();
    loop {
        let n = e.poll_transmit(&mut out);
        if n == 0 {
            break;
        }
        got.extend_from_slice(&out[..n]);
    }
    assert_eq!(String::from_utf8(got).unwrap(), want);
    assert_eq!(e.dropped_output(), 0);
}

#[test]
fn input_during_a_streamed_answer_is_busy() {
    let mut e = engine();
    let _ = e.handle_uart(b"ATE0\r\nAT+SYSLOG=1\r\nAT+HTTPURLCFG=4096\r\n");
    let _ = e.handle_uart(&vec![b'u'; 4096]);
    drain(&mut e);
    let _ = e.handle_uart(b"AT+HTTPURLCFG?\r\n");
    let mut first = [0u8; 64];
    let n = e.poll_transmit(&mut first);
    assert_eq!(&first[..17], b"+HTTPURLCFG:4096,");
    assert!(e.is_busy());
    let _ = e.handle_uart(b"AT\r\n");
    let rest = drain(&mut e);
    // The busy answer waits in the queue behind nothing: it comes out first, then the URL.
    assert!(
        rest.starts_with(b"ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n"),
        "{:?}",
        &rest[..40]
    );
    assert_eq!(n + rest.len(), 17 + 4096 + 6 + 21 + 13);
    assert!(rest.ends_with(b"\r\nOK\r\n"));
    assert!(!e.is_busy());
    proves!(BusyReject, BusyErrCode, HttpurlcfgQuery);
}
