//! More clause rows: parameter syntax, result bytes, error codes and HTTP request details as
//! the engine shows them on the UART and on the wire. Each row names its `Clause`.

#[macro_use]
mod common;

use atspec_firmware::device::Clause;
use atspec_firmware::testkit::{Exchange, exchange};
use atspec_firmware::{Action, Engine};
use common::{drain, quiet_engine, show};

/// Input and the exact output it must produce.
type Step = (&'static [u8], &'static [u8]);

/// UART in → exact UART out, on a quiet engine with SYSLOG on.
fn uart(clause: Clause, steps: &[(&[u8], &[u8])]) {
    let mut e = quiet_engine();
    for (i, (input, expected)) in steps.iter().enumerate() {
        let _ = e.handle_uart(input);
        assert_eq!(
            show(&drain(&mut e)),
            show(expected),
            "{} step {i}",
            clause.id()
        );
    }
}

/// Runs one network command; returns (request bytes, UART output, TLS settings of the connect).
fn net(
    e: &mut Engine,
    line: &[u8],
    response: &[u8],
) -> (Vec<u8>, Vec<u8>, Option<atspec_firmware::Tls>) {
    let ex = exchange(e, line, response, usize::MAX, false);
    (ex.request, ex.uart, ex.tls)
}

const OK200: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

fn has(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn parameter_syntax() {
    use Clause::*;
    let rows: &[(Clause, &[Step])] = &[
        (
            FramingFormMarkers,
            &[
                (b"AT+SYSLOG?\r\n", b"+SYSLOG:1\r\n\r\nOK\r\n"),
                (b"AT+SYSLOG=0\r\n", b"\r\nOK\r\n"),
                (b"AT+SYSLOG=?\r\n", b"\r\nERROR\r\n"),
                (b"AT+SYSLOG\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (
            FramingSetOneParamMin,
            &[(b"AT+SYSLOG=\r\n", b"\r\nERROR\r\n")],
        ),
        (
            ParamSplitComma,
            &[(
                b"AT+HTTPCGET=\"a,b\"\r\n",
                b"ERR CODE:0x01080000\r\n\r\nERROR\r\n",
            )],
        ),
        (
            ParamSplitEscapeUnit,
            &[
                (
                    b"AT+HTTPURLCFG=10\r\nhttp://a/b",
                    b"\r\nOK\r\n\r\n>\r\nSET OK\r\n",
                ),
                (b"AT+HTTPCHEAD=4,\"\\,\"\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (ParamEmptyOmitted, &[(b"AT+HTTPCFG=\r\n", b"\r\nERROR\r\n")]),
        (
            ParamPositions,
            &[(
                b"AT+HTTPCLIENT=2,0,\"http://h/\",,\r\n",
                b"ERR CODE:0x01080005\r\n\r\nERROR\r\n",
            )],
        ),
        (ParamExtra, &[(b"AT+SYSLOG=1,1\r\n", b"\r\nERROR\r\n")]),
        (
            ParamIntBarePrefix,
            &[
                (b"AT+SYSLOG=-\r\n", b"\r\nOK\r\n"),
                (b"AT+SYSLOG?\r\n", b"+SYSLOG:0\r\n\r\nOK\r\n"),
                (b"AT+SYSLOG=0x\r\n", b"\r\nOK\r\n"),
            ],
        ),
        (
            ParamIntOverflow,
            &[
                (
                    b"AT+SYSLOG=4294967296\r\n",
                    b"ERR CODE:0x01080000\r\n\r\nERROR\r\n",
                ),
                (b"AT+HTTPURLCFG=4294967295\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (
            ParamStrQuoted,
            &[
                (b"AT+SYSLOG=1\r\n", b"\r\nOK\r\n"),
                (
                    b"AT+HTTPCGET=http://h/\r\n",
                    b"ERR CODE:0x01080000\r\n\r\nERROR\r\n",
                ),
            ],
        ),
        (
            ParamStrDanglingEscape,
            &[(
                b"AT+HTTPCGET=\"ab\\\"\r\n",
                b"ERR CODE:0x01080000\r\n\r\nERROR\r\n",
            )],
        ),
        (
            ParamStrBareQuote,
            &[(
                b"AT+HTTPCGET=\"a\"b\"\r\n",
                b"ERR CODE:0x01080000\r\n\r\nERROR\r\n",
            )],
        ),
        (ResultOkBytes, &[(b"AT\r\n", b"\r\nOK\r\n")]),
        (ResultErrorBytes, &[(b"AT+SYSLOG=5\r\n", b"\r\nERROR\r\n")]),
        (
            ResultPromptBytes,
            &[(b"AT+HTTPCHEAD=3\r\n", b"\r\nOK\r\n\r\n>")],
        ),
        (
            ErrcodeFormat,
            &[(b"XX\r\n", b"ERR CODE:0x01030000\r\n\r\nERROR\r\n")],
        ),
        (
            ErrcodeBeforeResult,
            &[(b"AT+NOPE\r\n", b"ERR CODE:0x01090000\r\n\r\nERROR\r\n")],
        ),
        (
            ErrcodeLayout,
            &[(b"AT+SYSLOG=x\r\n", b"ERR CODE:0x01080000\r\n\r\nERROR\r\n")],
        ),
        (
            ErrcodeNoAt,
            &[(b"HELLO\r\n", b"ERR CODE:0x01030000\r\n\r\nERROR\r\n")],
        ),
        (
            ErrcodeParaParseFail,
            &[(
                b"AT+HTTPCFG=1,x,0\r\n",
                b"ERR CODE:0x01080001\r\n\r\nERROR\r\n",
            )],
        ),
        (
            ErrcodeUnsupported,
            &[(
                b"AT+HTTPNOPE=1\r\n",
                b"ERR CODE:0x01090000\r\n\r\nERROR\r\n",
            )],
        ),
        (
            HttpFormsSetOnly,
            &[
                (b"AT+HTTPCGET?\r\n", b"\r\nERROR\r\n"),
                (b"AT+HTTPCPOST=?\r\n", b"\r\nERROR\r\n"),
                (b"AT+HTTPCLIENT\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (
            HttpFormsUrlcfgChead,
            &[
                (b"AT+HTTPURLCFG=?\r\n", b"\r\nERROR\r\n"),
                (b"AT+HTTPCHEAD\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (
            HttpBufferTxSize,
            &[(b"AT+HTTPCGET=\"http://h/\",10241\r\n", b"\r\nERROR\r\n")],
        ),
        (
            HttpParamCountSized,
            &[(
                b"AT+HTTPGETSIZE=\"http://h/\",1,1,1,1\r\n",
                b"\r\nERROR\r\n",
            )],
        ),
        (
            HttpclientOptRequired,
            &[(b"AT+HTTPCLIENT=,0,\"http://h/\",,,1\r\n", b"\r\nERROR\r\n")],
        ),
        (
            HttpclientContentTypeRange,
            &[(b"AT+HTTPCLIENT=2,4,\"http://h/\",,,1\r\n", b"\r\nERROR\r\n")],
        ),
        (
            HttpclientPositions,
            &[(
                b"AT+HTTPCLIENT=2,0\r\n",
                b"ERR CODE:0x01080002\r\n\r\nERROR\r\n",
            )],
        ),
        (
            HttpclientTransportRange,
            &[(b"AT+HTTPCLIENT=2,0,\"http://h/\",,,3\r\n", b"\r\nERROR\r\n")],
        ),
        (
            HttpclientDataRequiredForPost,
            &[(
                b"AT+HTTPCLIENT=3,0,\"http://h/\",,,1,\r\n",
                b"\r\nERROR\r\n",
            )],
        ),
        (
            HttpclientHeadersNeedColon,
            &[(
                b"AT+HTTPCLIENT=2,0,\"http://h/\",,,1,\"data\"\r\n",
                b"\r\nERROR\r\n",
            )],
        ),
        (
            HttpcsendLengthRange,
            &[
                (b"AT+HTTPCPOST=\"http://h/\",0\r\n", b"\r\nERROR\r\n"),
                (b"AT+HTTPCPOST=\"http://h/\",-5\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (
            HttpcsendHeaderCntGoverns,
            &[(
                b"AT+HTTPCPOST=\"http://h/\",5,1\r\n",
                b"ERR CODE:0x01080003\r\n\r\nERROR\r\n",
            )],
        ),
        (
            HttpcsendHeaderCntNotEmpty,
            &[(b"AT+HTTPCPUT=\"http://h/\",5,\r\n", b"\r\nERROR\r\n")],
        ),
        (
            HttpcsendHeaderNeedColon,
            &[(
                b"AT+HTTPCPOST=\"http://h/\",5,1,\"nocolon\"\r\n",
                b"\r\nERROR\r\n",
            )],
        ),
        (
            HttpcsendErrorBeforePrompt,
            &[
                (b"AT+HTTPCPOST=\"\",5\r\n", b"\r\nERROR\r\n"),
                (b"AT+HTTPCPOST=\"nohost\",5\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (
            HttpurlcfgNotValidated,
            &[
                (
                    b"AT+HTTPURLCFG=8\r\nnot-aurl",
                    b"\r\nOK\r\n\r\n>\r\nSET OK\r\n",
                ),
                (b"AT+HTTPCGET=\"\"\r\n", b"\r\nERROR\r\n"),
            ],
        ),
        (
            HttpcfgModeMeaning,
            &[
                (b"AT+HTTPCFG=1,0,0\r\n", b"\r\nOK\r\n"),
                (b"AT+HTTPCFG=2,0,0\r\n", b"\r\nOK\r\n"),
                (b"AT+HTTPCFG=0\r\n", b"\r\nOK\r\n"),
            ],
        ),
        (
            SyslogDefaultOff,
            &[
                (b"AT+RST\r\n", b"\r\nOK\r\n\r\nready\r\n"),
                (b"AT+NOPE\r\n", b"AT+NOPE\r\n\r\nERROR\r\n"),
            ],
        ),
    ];
    for (c, steps) in rows {
        uart(*c, steps);
    }
}

#[test]
fn strings_decode_before_use() {
    // `\,` `\"` and `\n` reach the wire decoded; `""` is an empty URL (the stored one is used);
    // a lone quote is empty too.
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPURLCFG=10\r\nhttp://s/x");
    drain(&mut e);
    let (req, _, _) = net(
        &mut e,
        b"AT+HTTPCLIENT=3,1,\"http://h/p\",,,1,\"{\\\"a\\\":1\\,\\\"n\\\":\\n}\"\r\n",
        OK200,
    );
    assert!(req.ends_with(b"{\"a\":1,\"n\":n}"), "{}", show(&req));
    let (req, _, _) = net(&mut e, b"AT+HTTPCGET=\"\"\r\n", OK200);
    assert!(req.starts_with(b"GET /x "));
    let (req, _, _) = net(&mut e, b"AT+HTTPCGET=\"\r\n", OK200);
    assert!(req.starts_with(b"GET /x "));
    proves!(
        ParamStrUnescape,
        ParamStrJsonEscapes,
        ParamStrEmptyQuotes,
        ParamStrLoneQuote,
        HttpUrlFallbackUrlcfg
    );
}

#[test]
fn request_details_on_the_wire() {
    let mut e = quiet_engine();
    // Per-command headers first, stored ones after: a stored Content-Type replaces the
    // command's, names compared without case; values trimmed.
    let _ = e.handle_uart(b"AT+HTTPCHEAD=22\r\ncontent-type: text/csv");
    drain(&mut e);
    let (req, out, _) = net(
        &mut e,
        b"AT+HTTPCPOST=\"http://h/\",2,2,\"X-A:   spaced  \",\"Content-Type: a/b\"\r\nhi",
        OK200,
    );
    assert!(
        has(&req, b"Content-Type: text/csv\r\n") && !has(&req, b"a/b"),
        "{}",
        show(&req)
    );
    assert!(has(&req, b"X-A: spaced\r\n"));
    assert!(req.starts_with(b"POST / HTTP/1.1\r\n") && req.ends_with(b"\r\n\r\nhi"));
    assert!(out.ends_with(b"+HTTPCPOST:2,ok\r\n\r\nSEND OK\r\n"));
    proves!(
        HttpRequestHeaderOrder,
        HttpRequestHeaderSplit,
        HttpcsendMethod,
        HttpcsendBodyLines
    );
    // Default content type of HTTPCPOST; HTTPCLIENT POST without one gets the same.
    let mut e = quiet_engine();
    let (req, _, _) = net(&mut e, b"AT+HTTPCPOST=\"http://h/\",1\r\nx", OK200);
    assert!(has(
        &req,
        b"Content-Type: application/x-www-form-urlencoded\r\n"
    ));
    let (req, _, _) = net(
        &mut e,
        b"AT+HTTPCLIENT=3,,\"http://h/\",,,1,\"\"\r\n",
        OK200,
    );
    assert!(
        has(&req, b"Content-Type: application/x-www-form-urlencoded\r\n")
            && has(&req, b"Content-Length: 0\r\n")
    );
    // GET with an empty content type sends none; a URL's scheme beats transport_type.
    let (req, _, tls) = net(
        &mut e,
        b"AT+HTTPCLIENT=2,,\"http://h/\",\"x\",\"/y\",2\r\n",
        OK200,
    );
    assert!(!has(&req, b"Content-Type") && req.starts_with(b"GET / "));
    assert!(tls.is_none());
    let (_, _, tls) = net(&mut e, b"AT+HTTPCLIENT=2,,\"https://h/\",,,1\r\n", b"");
    assert!(tls.is_some());
    proves!(
        HttpcsendContentTypeDefault,
        HttpclientDataPostContentType,
        HttpclientContentTypeOmitted,
        HttpclientUrlPrecedence,
        HttpclientTransportUrlSchemeWins,
        HttpUrlSchemeTransport
    );
}

#[test]
fn httpclient_command_shapes() {
    let mut e = quiet_engine();
    // transport_type empty means 1 (TCP to port 80).
    let _ = e.handle_uart(b"AT+HTTPCLIENT=2,,,\"h\",\"/p\",\r\n");
    drain(&mut e);
    assert!(matches!(
        e.poll_action(),
        Some(Action::Connect {
            port: 80,
            tls: None,
            ..
        })
    ));
    e.handle_net_error();
    drain(&mut e);
    // Without POST no data field: the seventh field is a header; several headers are fine.
    let (req, out, _) = net(
        &mut e,
        b"AT+HTTPCLIENT=2,0,\"http://h/\",,,1,\"A: 1\",\"B: 2\",\"C: 3\"\r\n",
        OK200,
    );
    assert!(has(&req, b"A: 1\r\nB: 2\r\nC: 3\r\n"));
    assert!(out.ends_with(b"+HTTPCLIENT:2,ok\r\n\r\nOK\r\n"));
    // 256-byte limit: a longer HTTPCLIENT line is a bad line, not a command.
    let mut long = b"AT+HTTPCLIENT=2,0,\"http://h/".to_vec();
    long.resize(300, b'a');
    long.extend_from_slice(b"\",,,1\r\n");
    while e.poll_action().is_some() {}
    let _ = e.handle_uart(&long);
    let out = drain(&mut e);
    assert!(
        out.ends_with(b"ERR CODE:0x01030000\r\n\r\nERROR\r\n"),
        "{}",
        show(&out)
    );
    assert!(e.poll_action().is_none(), "no request for an overlong line");
    proves!(
        HttpclientTransportDefault,
        HttpclientDataPostOnly,
        HttpclientHeadersVariadic,
        HttpclientBodyLines,
        HttpclientLineLimit
    );
}

#[test]
fn buffers_timeouts_and_state() {
    let mut e = quiet_engine();
    // tx/rx 0 and timeout 0 select the defaults: 2048-byte pieces, 5000 ms.
    e.handle_time(10_000);
    let mut ex = Exchange::default();
    ex.send(&mut e, b"AT+HTTPCGET=\"http://h/\",0,0,0\r\n");
    assert_eq!(e.poll_timeout(), Some(15_000));
    let body = vec![b'z'; 3000];
    let mut resp = b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n".to_vec();
    resp.extend_from_slice(&body);
    ex.respond(&mut e, &resp, usize::MAX);
    let out = drain(&mut e);
    assert!(
        ex.request.starts_with(b"GET / HTTP/1.1\r\n"),
        "{}",
        show(&ex.request)
    );
    let out = [ex.uart, out].concat();
    assert!(out.ends_with(b"\r\nOK\r\n"));
    proves!(HttpBufferZeroIsDefault, HttpTimeoutZeroIsDefault);
    // HTTPCLIENT and HTTPCPOST use the fixed 5000 ms timeout and 2048-byte buffers.
    let _ = e.handle_uart(b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n");
    drain(&mut e);
    assert_eq!(e.poll_timeout(), Some(15_000));
    e.handle_net_error();
    drain(&mut e);
    let mut big = b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n".to_vec();
    big.extend_from_slice(&[b'f'; 3000]);
    let (_, out, _) = net(&mut e, b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n", &big);
    assert!(out.ends_with(b"\r\nOK\r\n"), "{}", show(&out));
    // The pieces are those of a 2048-byte rx buffer, as HTTPCGET's with rx 2048 are.
    let (_, with_2048, _) = net(&mut e, b"AT+HTTPCGET=\"http://h/\",2048,2048\r\n", &big);
    assert_eq!(
        pieces(&out, b"+HTTPCLIENT:"),
        pieces(&with_2048, b"+HTTPCGET:")
    );
    proves!(HttpBufferFixed);
    // The data phase has no timeout: hours later it still waits for the bytes.
    let _ = e.handle_uart(b"AT+HTTPCPOST=\"http://h/\",3\r\n");
    drain(&mut e);
    let _ = e.poll_action();
    e.handle_net_error();
    e.handle_time(10_000_000);
    assert!(e.in_data_phase());
    let _ = e.handle_uart(b"abc");
    assert_eq!(
        drain(&mut e),
        b"\r\nOK\r\n\r\n>\r\nSEND FAIL\r\n"[9..].to_vec()
    );
    proves!(HttpcsendDataNoTimeout);
    // Stored URL, headers and authentication are shared by later commands.
    let _ = e.handle_uart(
        b"AT+HTTPCFG=2,0,0\r\nAT+HTTPCHEAD=6\r\nX-S: 1AT+HTTPURLCFG=11\r\nhttps://s/x",
    );
    drain(&mut e);
    let (req, _, tls) = net(&mut e, b"AT+HTTPCGET=\"\"\r\n", b"");
    assert!(has(&req, b"X-S: 1\r\n"));
    let tls = tls.expect("https");
    assert!(tls.verify_server && !tls.client_cert);
    proves!(
        HttpStateGlobal,
        HttpcfgGlobal,
        HttpcfgVerifyModes23,
        HttpcfgVerifyNoHostname
    );
    e.handle_net_error();
    drain(&mut e);
    for (mode, verify, cert) in [(0, false, false), (1, false, true), (3, true, true)] {
        let cfg = if mode == 0 {
            "AT+HTTPCFG=0\r\n".to_string()
        } else {
            format!("AT+HTTPCFG={mode},0,0\r\n")
        };
        let _ = e.handle_uart(cfg.as_bytes());
        drain(&mut e);
        let (_, _, tls) = net(&mut e, b"AT+HTTPCGET=\"https://h/\"\r\n", b"");
        let tls = tls.unwrap();
        assert_eq!(
            (tls.verify_server, tls.client_cert),
            (verify, cert),
            "mode {mode}"
        );
        e.handle_net_error();
        drain(&mut e);
    }
    proves!(HttpcfgVerifyModes01, HttpcfgClientCert);
}

#[test]
fn stored_headers_apply_newest_to_oldest() {
    let mut e = quiet_engine();
    for h in [&b"range: old"[..], b"Range: new"] {
        let _ = e.handle_uart(format!("AT+HTTPCHEAD={}\r\n", h.len()).as_bytes());
        let _ = e.handle_uart(h);
    }
    drain(&mut e);
    let (req, _, _) = net(&mut e, b"AT+HTTPCGET=\"http://h/\"\r\n", OK200);
    // Applied newest (`Range: new`) first, then the older `range: old` replaces its value.
    assert!(
        has(&req, b"Range: old\r\n") && !has(&req, b"new"),
        "{}",
        show(&req)
    );
    proves!(HttpcheadApplyOrder);
}

#[test]
fn result_bytes_of_send_and_busy() {
    let mut e = quiet_engine();
    let (_, out, _) = net(
        &mut e,
        b"AT+HTTPCPUT=\"http://h/\",1\r\nz",
        b"HTTP/1.1 204 No Content\r\n\r\n",
    );
    assert!(out.ends_with(b"\r\nSEND OK\r\n"));
    let _ = e.handle_uart(b"AT+HTTPCGET=\"http://h/\"\r\nAT\r\n");
    let out = drain(&mut e);
    assert!(out.ends_with(b"\r\nbusy p...\r\n"));
    e.handle_net_error();
    assert_eq!(drain(&mut e), b"\r\nERROR\r\n");
    let (_, out, _) = net(
        &mut e,
        b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
    );
    e.handle_closed();
    let mut out = out;
    out.extend(drain(&mut e));
    assert!(
        out.ends_with(b"+HTTPCLIENT:2,ab\r\nERR CODE:0x010a7000\r\n\r\nERROR\r\n"),
        "{}",
        show(&out)
    );
    proves!(ResultSendBytes, ResultBusyBytes, ErrcodeHttpConnectFailed);
}

/// The sizes of the payload lines with `prefix` in `out`.
fn pieces(out: &[u8], prefix: &[u8]) -> Vec<usize> {
    atspec_firmware::testkit::payloads(out, prefix).1
}

#[test]
fn rx_size_zero_is_the_default() {
    // The same body read with rx 0 and with rx 2048 comes in the same pieces; with rx 1000
    // no piece is larger than 1000.
    let mut big = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".to_vec();
    big.extend_from_slice(&[b'r'; 5000]);
    let mut e = quiet_engine();
    let (_, zero, _) = net(&mut e, b"AT+HTTPCGET=\"http://h/\",0,0\r\n", &big);
    let (_, default, _) = net(&mut e, b"AT+HTTPCGET=\"http://h/\",2048,2048\r\n", &big);
    let (_, small, _) = net(&mut e, b"AT+HTTPCGET=\"http://h/\",0,1000\r\n", &big);
    let (z, d, s) = (
        pieces(&zero, b"+HTTPCGET:"),
        pieces(&default, b"+HTTPCGET:"),
        pieces(&small, b"+HTTPCGET:"),
    );
    assert_eq!(z, d);
    assert!(z.iter().any(|&n| n > 1000), "{z:?}");
    assert!(s.iter().all(|&n| n <= 1000), "{s:?}");
    assert_eq!(s.iter().sum::<usize>(), 5000);
    proves!(HttpBufferZeroIsDefault, HttpBufferRxSize);
}

#[test]
fn every_documented_status_gets_its_code() {
    // The seed's table (400–417, 500–505): 0x010a7000 + status, printed before ERROR.
    let mut e = quiet_engine();
    for status in (400..=417).chain(500..=505) {
        let resp = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n");
        let (_, out, _) = net(&mut e, b"AT+HTTPCGET=\"http://h/\"\r\n", resp.as_bytes());
        let want = format!("ERR CODE:0x{:08x}\r\n\r\nERROR\r\n", 0x010a_7000 + status);
        assert_eq!(show(&out), show(want.as_bytes()), "status {status}");
    }
    proves!(ErrcodeHttpTable, ErrcodeHttpStatus);
}

/// Two faults in one line: where no source orders them the engine answers one (AT+HTTPCLIENT:
/// the opt's); where the reference does (AT+HTTPCPOST/PUT: the URL first), the URL's bare
/// ERROR comes though a later field is malformed too, and with a usable URL the parser's own
/// order decides.
#[test]
fn two_faults_in_one_line() {
    uart(
        Clause::FramingFaultsEither,
        &[
            (
                b"AT+HTTPCLIENT=0,,\"\",,,1\r\n",
                b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n",
            ),
            (b"AT+HTTPCPOST=\"\",\"1\",1,\":\"\r\n", b"\r\nERROR\r\n"),
            (b"AT+HTTPCPUT=\"ftp:/x\",x\r\n", b"\r\nERROR\r\n"),
            (
                b"AT+HTTPCPOST=\"http://h/p\",\"1\"\r\n",
                b"ERR CODE:0x01080001\r\n\r\nERROR\r\n",
            ),
            // A malformed URL field is the parser's to refuse (index 0).
            (
                b"AT+HTTPCPOST=x,1\r\n",
                b"ERR CODE:0x01080000\r\n\r\nERROR\r\n",
            ),
        ],
    );
    proves!(FramingFaultsEither);
}
