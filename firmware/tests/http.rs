//! HTTP clauses against a scripted network peer: exact request bytes on the wire and exact
//! UART output, with responses delivered in pieces of every size.

#[macro_use]
mod common;

use atspec_firmware::testkit::{Exchange, exchange as transact, payloads};
use atspec_firmware::{Action, Config, Engine};
use common::{drain, quiet_engine, show};

fn ok_response(body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

#[test]
fn httpcget_prints_the_body_and_sends_a_plain_get() {
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h.test/x?y=1\"\r\n",
        &ok_response(b"hello"),
        1000,
        false,
    );
    assert_eq!(run.connects, [("h.test".to_string(), 80, false)]);
    assert_eq!(
        show(&run.request),
        show(b"GET /x?y=1 HTTP/1.1\r\nHost: h.test\r\nUser-Agent: ESP32 HTTP Client/1.0\r\n\r\n")
    );
    assert_eq!(show(&run.uart), show(b"+HTTPCGET:5,hello\r\n\r\nOK\r\n"));
    assert_eq!(run.closes, 1);
    proves!(
        HttpcgetBodyLines,
        HttpRequestLine,
        HttpRequestHost,
        HttpRequestUserAgent,
        HttpConnectionPerCommand
    );
}

#[test]
fn payload_lines_respect_rx_size_and_any_read_split() {
    let body: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    for piece in [1, 7, 100, 4096] {
        let mut e = quiet_engine();
        let run = transact(
            &mut e,
            b"AT+HTTPCGET=\"http://h/\",0,512\r\n",
            &ok_response(&body),
            piece,
            false,
        );
        let (data, sizes) = payloads(&run.uart, b"+HTTPCGET:");
        assert!(data == body, "piece {piece}");
        assert!(
            sizes.iter().all(|&n| (1..=512).contains(&n)),
            "piece {piece}: {sizes:?}"
        );
        assert!(run.uart.ends_with(b"\r\nOK\r\n"));
    }
    proves!(
        HttpResponsePieces,
        HttpBufferRxSize,
        HttpResponsePayloadLine
    );
}

#[test]
fn chunked_and_close_delimited_bodies() {
    let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    for piece in 1..chunked.len() {
        let mut e = quiet_engine();
        let run = transact(
            &mut e,
            b"AT+HTTPCGET=\"http://h/\"\r\n",
            chunked,
            piece,
            false,
        );
        assert_eq!(
            payloads(&run.uart, b"+HTTPCGET:").0,
            b"hello world",
            "piece {piece}"
        );
        assert!(run.uart.ends_with(b"\r\nOK\r\n"));
    }
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h/\"\r\n",
        b"HTTP/1.1 200 OK\r\n\r\nuntil close",
        3,
        true,
    );
    assert_eq!(payloads(&run.uart, b"+HTTPCGET:").0, b"until close");
    assert!(run.uart.ends_with(b"\r\nOK\r\n"));
    proves!(HttpResponseChunked);
}

#[test]
fn status_400_and_above_prints_body_then_code_then_error() {
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h/\"\r\n",
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nnf",
        5,
        false,
    );
    assert_eq!(
        show(&run.uart),
        show(b"+HTTPCGET:2,nf\r\nERR CODE:0x010a7194\r\n\r\nERROR\r\n")
    );
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n",
        b"HTTP/1.1 599 Odd\r\nContent-Length: 0\r\n\r\n",
        5,
        false,
    );
    assert_eq!(
        show(&run.uart),
        show(b"ERR CODE:0x010a7257\r\n\r\nERROR\r\n")
    );
    proves!(HttpStatusError, ErrcodeHttpStatus);
}

#[test]
fn redirects_are_not_followed() {
    let mut e = quiet_engine();
    let resp = b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\nContent-Length: 3\r\n\r\nmov";
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=2,,\"http://h/a\",,,1\r\n",
        resp,
        100,
        false,
    );
    assert_eq!(run.connects.len(), 1);
    assert_eq!(show(&run.uart), show(b"+HTTPCLIENT:3,mov\r\n\r\nOK\r\n"));
    proves!(
        HttpclientRedirectNotFollowed,
        HttpRedirectNotFollowed,
        HttpStatusBelow400
    );
}

#[test]
fn network_failures_end_each_command_its_own_way() {
    for (line, expected) in [
        (
            &b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n"[..],
            &b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n"[..],
        ),
        (b"AT+HTTPCGET=\"http://h/\"\r\n", b"\r\nERROR\r\n"),
        (b"AT+HTTPGETSIZE=\"http://h/\"\r\n", b"\r\nERROR\r\n"),
    ] {
        let mut e = quiet_engine();
        let _ = e.handle_uart(line);
        let mut run = Exchange::default();
        assert!(matches!(e.poll_action(), Some(Action::Connect { .. })));
        e.handle_net_error();
        run.uart.extend(drain(&mut e));
        assert_eq!(show(&run.uart), show(expected), "{}", show(line));
        assert!(!e.is_busy());
        let _ = e.handle_uart(b"AT\r\n");
        run.uart.extend(drain(&mut e));
        assert!(run.uart.ends_with(b"\r\nOK\r\n"));
    }
    proves!(
        HttpclientNetworkFailure,
        HttpcgetNetworkFailure,
        HttpgetsizeNetworkFailure
    );
}

/// Found by `atspec certify`: an unknown scheme fails on the network path without a
/// transaction, and the failure must be answered as the command that ran, not as the one
/// before it.
#[test]
fn an_unknown_scheme_fails_as_the_running_command() {
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPCLIENT=2,,\"ftp://h/x\",,,1\r\n");
    assert_eq!(
        show(&drain(&mut e)),
        show(b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n")
    );
    for line in [
        &b"AT+HTTPCGET=\"ftp://h/x\"\r\n"[..],
        b"AT+HTTPGETSIZE=\"ftp://h/x\"\r\n",
    ] {
        let _ = e.handle_uart(line);
        assert!(
            e.poll_action().is_none(),
            "no connection for an unknown scheme"
        );
        assert_eq!(
            show(&drain(&mut e)),
            show(b"\r\nERROR\r\n"),
            "{}",
            show(line)
        );
    }
    let _ = e.handle_uart(b"AT+HTTPCPOST=\"ftp://h/x\",2\r\n");
    assert_eq!(show(&drain(&mut e)), show(b"\r\nOK\r\n\r\n>"));
    let _ = e.handle_uart(b"ab");
    assert_eq!(show(&drain(&mut e)), show(b"\r\nSEND FAIL\r\n"));
    proves!(HttpUrlSchemeTransport, HttpcgetNetworkFailure);
}

#[test]
fn incomplete_bodies_timeouts_and_garbage_fail() {
    // Closed after 5 of 10 bytes: the printed piece stays, then the failure.
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h/\"\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
        100,
        true,
    );
    assert_eq!(show(&run.uart), show(b"+HTTPCGET:5,hello\r\n\r\nERROR\r\n"));
    // Stalled past the timeout.
    let mut e = quiet_engine();
    e.handle_time(1_000);
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h/\",,,200\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel",
        100,
        false,
    );
    assert_eq!(e.poll_timeout(), Some(1_200));
    e.handle_time(1_199);
    assert!(e.is_busy());
    e.handle_time(1_200);
    let mut out = run.uart.clone();
    out.extend(drain(&mut e));
    assert_eq!(show(&out), show(b"+HTTPCGET:3,hel\r\n\r\nERROR\r\n"));
    // A garbage status line.
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n",
        b"HTCPCP/9 teapot\r\n\r\n",
        100,
        false,
    );
    assert_eq!(
        show(&run.uart),
        show(b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n")
    );
    // A header block larger than the rx buffer.
    let mut e = quiet_engine();
    let mut big = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..2000 {
        big.extend_from_slice(format!("X-{i}: {}\r\n", "v".repeat(20)).as_bytes());
    }
    big.extend_from_slice(b"\r\n");
    let run = transact(&mut e, b"AT+HTTPCGET=\"http://h/\"\r\n", &big, 4096, false);
    assert_eq!(show(&run.uart), show(b"\r\nERROR\r\n"));
    let _ = e.handle_uart(b"AT\r\n");
    let mut out = Vec::new();
    out.extend(drain(&mut e));
    assert_eq!(out, b"\r\nOK\r\n");
    proves!(HttpResponseIncomplete, HttpTimeoutNetwork, HttpTimeoutParam);
}

#[test]
fn getsize_reports_content_length_whatever_the_status() {
    for (resp, expected) in [
        (
            &b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"[..],
            &b"+HTTPGETSIZE:1234\r\n\r\nOK\r\n"[..],
        ),
        (
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found",
            b"+HTTPGETSIZE:9\r\n\r\nOK\r\n",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"+HTTPGETSIZE:0\r\n\r\nOK\r\n",
        ),
    ] {
        let mut e = quiet_engine();
        let run = transact(
            &mut e,
            b"AT+HTTPGETSIZE=\"http://h/f.bin\"\r\n",
            resp,
            50,
            false,
        );
        assert_eq!(show(&run.uart), show(expected));
        assert!(run.request.starts_with(b"GET /f.bin HTTP/1.1\r\n"));
    }
    proves!(
        HttpgetsizeReport,
        HttpgetsizeStatusIgnored,
        HttpgetsizeNoLengthZero,
        HttpgetsizeMethodGet
    );
}

#[test]
fn httpclient_methods_content_types_and_headers() {
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPCHEAD=13\r\nX-Global: one");
    drain(&mut e);
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=3,1,\"http://h:8080/post\",,,1,\"{\\\"a\\\":1\\,\\\"b\\\":2}\",\"X-Cmd: 2\"\r\n",
        &ok_response(b"ok"),
        100,
        false,
    );
    assert_eq!(run.connects, [("h".to_string(), 8080, false)]);
    assert_eq!(
        show(&run.request),
        show(b"POST /post HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: ESP32 HTTP Client/1.0\r\nContent-Type: application/json\r\nContent-Length: 13\r\nX-Cmd: 2\r\nX-Global: one\r\n\r\n{\"a\":1,\"b\":2}")
    );
    // PUT carries Content-Length 0; DELETE and GET carry the content type when given.
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=4,3,\"http://h/\",,,1\r\n",
        &ok_response(b""),
        100,
        false,
    );
    assert!(run.request.starts_with(b"PUT / HTTP/1.1\r\n"));
    assert!(
        run.request
            .windows(22)
            .any(|w| w == b"Content-Type: text/xml")
    );
    assert!(run.request.windows(17).any(|w| w == b"Content-Length: 0"));
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=5,2,\"http://h/\",,,1\r\n",
        &ok_response(b""),
        100,
        false,
    );
    assert!(run.request.starts_with(b"DELETE / HTTP/1.1\r\n"));
    assert!(
        run.request
            .windows(33)
            .any(|w| w == b"Content-Type: multipart/form-data")
    );
    assert!(!run.request.windows(14).any(|w| w == b"Content-Length"));
    proves!(
        HttpclientOptMethod,
        HttpclientContentTypeMap,
        HttpclientContentTypeAllMethods,
        HttpclientPutNoBody,
        HttpRequestContentLength,
        HttpRequestCheadApplied
    );
}

#[test]
fn httpclient_target_resolution() {
    // host + path with transport 2: TLS to 443.
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=2,,,\"secure.test\",\"/p\",2\r\n",
        &ok_response(b""),
        100,
        false,
    );
    assert_eq!(run.connects, [("secure.test".to_string(), 443, true)]);
    // Only one of host and path: ERROR, no connection.
    for line in [
        &b"AT+HTTPCLIENT=2,,,\"h\",,1\r\n"[..],
        b"AT+HTTPCLIENT=2,,,,\"/p\",1\r\n",
        b"AT+HTTPCLIENT=2,,,,,1\r\n",
        b"AT+HTTPCLIENT=2,,\"no-scheme\",,,1\r\n",
    ] {
        let mut e = quiet_engine();
        let run = transact(&mut e, line, b"", 1, false);
        assert_eq!(show(&run.uart), show(b"\r\nERROR\r\n"), "{}", show(line));
        assert!(run.connects.is_empty());
    }
    // All empty: the stored URL.
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPURLCFG=15\r\nhttp://stored/x");
    drain(&mut e);
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=2,,,,,1\r\n",
        &ok_response(b""),
        100,
        false,
    );
    assert_eq!(run.connects, [("stored".to_string(), 80, false)]);
    // An unknown method: the connection-failed code, no traffic.
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=9,,\"http://h/\",,,1\r\n",
        b"",
        1,
        false,
    );
    assert_eq!(
        show(&run.uart),
        show(b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n")
    );
    assert!(run.connects.is_empty());
    proves!(
        HttpclientTransportHostPathScheme,
        HttpclientUrlHostPath,
        HttpclientUrlHostPathPartial,
        HttpclientUrlUrlcfg,
        HttpclientOptUnknown,
        HttpUrlValid
    );
}

#[test]
fn head_prints_header_lines_and_no_body() {
    let mut e = quiet_engine();
    let resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n";
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=1,,\"http://h/\",,,1\r\n",
        resp,
        7,
        false,
    );
    assert!(run.request.starts_with(b"HEAD / HTTP/1.1\r\n"));
    assert_eq!(
        show(&run.uart),
        show(b"+HTTPCLIENT:24,Content-Type: text/plain\r\n+HTTPCLIENT:17,Content-Length: 5\r\n\r\nOK\r\n")
    );
    proves!(HttpclientHeadHeaderLines);
}

#[test]
fn httpcpost_sends_exact_binary_data_and_ends_with_send_ok() {
    let data: Vec<u8> = (0..=255u8).chain([b'\r', b'\n', 0, b'O', b'K']).collect();
    let mut line = format!(
        "AT+HTTPCPOST=\"http://h/up\",{},1,\"Content-Type: application/octet-stream\"\r\n",
        data.len()
    )
    .into_bytes();
    line.extend_from_slice(&data);
    let mut e = quiet_engine();
    let run = transact(&mut e, &line, &ok_response(b"stored"), 3, false);
    let head_end = run
        .request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap()
        + 4;
    let head = &run.request[..head_end];
    assert_eq!(
        show(head),
        show(format!("POST /up HTTP/1.1\r\nHost: h\r\nUser-Agent: ESP32 HTTP Client/1.0\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n", data.len()).as_bytes())
    );
    assert!(run.request[head_end..] == data[..]);
    // Read 3 bytes at a time, the response body arrives as several pieces.
    assert!(run.uart.starts_with(b"\r\nOK\r\n\r\n>+HTTPCPOST:"));
    assert_eq!(payloads(&run.uart, b"+HTTPCPOST:").0, b"stored");
    assert!(run.uart.ends_with(b"\r\n\r\nSEND OK\r\n"));
    // PUT, default content type, status 500.
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCPUT=\"http://h/\",3\r\nabc",
        b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n",
        3,
        false,
    );
    assert!(run.request.starts_with(b"PUT / HTTP/1.1\r\n"));
    assert!(
        run.request
            .windows(47)
            .any(|w| w == b"Content-Type: application/x-www-form-urlencoded")
    );
    assert!(run.request.ends_with(b"\r\n\r\nabc"));
    assert_eq!(
        show(&run.uart),
        show(b"\r\nOK\r\n\r\n>ERR CODE:0x010a71f4\r\n\r\nERROR\r\n")
    );
    proves!(
        HttpcsendPrompt,
        HttpcsendDataRaw,
        HttpcsendSendOk,
        HttpcsendStatusNotSendFail,
        HttpcputContentTypeDefault,
        HttpcsendContentTypeHeader
    );
}

#[test]
fn httpcpost_network_failure_is_send_fail_after_the_data() {
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPCPOST=\"http://h/\",4\r\n");
    let mut out = Vec::new();
    out.extend(drain(&mut e));
    assert!(matches!(e.poll_action(), Some(Action::Connect { .. })));
    e.handle_net_error();
    assert!(e.in_data_phase(), "the data must still be read");
    let _ = e.handle_uart(b"da");
    let _ = e.handle_uart(b"ta");
    out.extend(drain(&mut e));
    assert_eq!(show(&out), show(b"\r\nOK\r\n\r\n>\r\nSEND FAIL\r\n"));
    proves!(HttpcsendSendFail);
}

#[test]
fn busy_while_a_request_runs() {
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPCGET=\"http://h/\"\r\n");
    let mut out = Vec::new();
    let _ = e.handle_uart(b"AT\r\n");
    out.extend(drain(&mut e));
    assert_eq!(
        show(&out),
        show(b"ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n")
    );
    // Trailing CR LF after POST data is input while busy.
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPCPOST=\"http://h/\",2\r\nab\r\n");
    let mut out = Vec::new();
    out.extend(drain(&mut e));
    assert_eq!(
        show(&out),
        show(b"\r\nOK\r\n\r\n>ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n")
    );
    // AT+RST while busy restarts at once.
    let mut e = quiet_engine();
    let _ = e.handle_uart(b"AT+HTTPCGET=\"http://h/\"\r\n");
    let _ = e.poll_action();
    e.handle_connected();
    let _ = e.handle_uart(b"AT+RST\r\n");
    let mut out = Vec::new();
    out.extend(drain(&mut e));
    assert_eq!(
        show(&out),
        show(b"\r\nWill force to restart!!!\r\n\r\nready\r\n")
    );
    assert_eq!(e.poll_action(), Some(Action::Close));
    proves!(BusyReject, BusyErrCode, BusyAfterData, BusyForceRestart);
}

#[test]
fn long_urls_need_a_large_tx_buffer() {
    let mut url = b"http://h/".to_vec();
    url.resize(8192, b'p');
    let mut cfg = format!("AT+HTTPURLCFG={}\r\n", url.len()).into_bytes();
    cfg.extend_from_slice(&url);
    // Default 2048-byte tx buffer: the request line does not fit → network-failure path.
    let mut e = quiet_engine();
    let run = transact(&mut e, &cfg, b"", 1, false);
    assert!(run.uart.ends_with(b"\r\nSET OK\r\n"));
    let run = transact(&mut e, b"AT+HTTPCGET=\"\",10240\r\n", b"", 1, false);
    assert_eq!(show(&run.uart), show(b"\r\nERROR\r\n"));
    assert!(run.connects.is_empty());
    // A board with 10240-byte buffers serves it.
    let mut big: Engine<10240, 2048> = Engine::with_buffers(Config::default());
    let _ = big.handle_uart(b"ATE0\r\n");
    drain(&mut big);
    transact(&mut big, &cfg, b"", 1, false);
    let run = transact(
        &mut big,
        b"AT+HTTPCGET=\"\",10240\r\n",
        &ok_response(b"x"),
        100,
        false,
    );
    assert!(
        run.request
            .starts_with(&[&b"GET /"[..], &url[9..]].concat())
    );
    assert!(run.uart.ends_with(b"+HTTPCGET:1,x\r\n\r\nOK\r\n"));
    proves!(
        HttpBufferTxHoldsRequestLine,
        HttpUrlLongViaUrlcfg,
        HttpUrlFallbackUrlcfg
    );
}

/// The seed bounds AT+HTTPCPOST/PUT lengths by the allocatable heap: the engine takes
/// `SEND_LENGTH_MAX` and refuses one more before any prompt (so a host never gets stuck
/// sending 2 GiB).
#[test]
fn a_send_length_beyond_the_heap_is_refused_before_the_prompt() {
    use atspec_firmware::net::SEND_LENGTH_MAX;
    let mut e = common::quiet_engine();
    for (cmd, len, want) in [
        ("AT+HTTPCPOST", SEND_LENGTH_MAX, &b"\r\nOK\r\n\r\n>"[..]),
        ("AT+HTTPCPOST", SEND_LENGTH_MAX + 1, b"\r\nERROR\r\n"),
        ("AT+HTTPCPUT", i32::MAX as u32, b"\r\nERROR\r\n"),
    ] {
        let line = format!("{cmd}=\"http://h/p\",{len}\r\n");
        assert_eq!(e.handle_uart(line.as_bytes()), line.len());
        let out = common::drain(&mut e);
        assert_eq!(
            out,
            want,
            "{}: {line}",
            atspec_firmware::device::Clause::HttpcsendLengthRange.id()
        );
        if e.in_data_phase() {
            // Leave the data phase the way a host would: AT+RST is data here, so reset.
            e = common::quiet_engine();
        }
    }
}

/// An engine behaving as the spec's profile of ESP-AT `version`.
fn version_engine(version: &str) -> Engine {
    let mut e = quiet_engine();
    let p = atspec_firmware::device::PROFILES
        .iter()
        .find(|p| {
            p.esp_at_version
                .is_some_and(|(a, b)| format!("{a}.{b}") == version)
        })
        .expect("a version profile");
    e.set_profile(p);
    e
}

#[test]
fn an_emulated_version_reports_itself_and_lacks_its_missing_commands() {
    let mut e = version_engine("2.2");
    let _ = e.handle_uart(b"AT+GMR\r\n");
    let out = drain(&mut e);
    assert!(
        out.starts_with(b"AT version:2.2.0.0(atspec "),
        "{}",
        show(&out)
    );
    // v2.2 has no AT+HTTPCGET: the name is unknown (the spec's unknown-command answer).
    let _ = e.handle_uart(b"AT+HTTPCGET=\"http://h/\"\r\n");
    assert_eq!(
        show(&drain(&mut e)),
        show(b"ERR CODE:0x01090000\r\n\r\nERROR\r\n")
    );
    // Whatever form follows the name: a command it lacks is unknown before its form is
    // looked at (the test form of one it has is a missing form: a bare ERROR).
    let _ = e.handle_uart(b"AT+HTTPCGET=?\r\nAT+HTTPCFG?\r\nAT+HTTPCLIENT=?\r\n");
    assert_eq!(
        show(&drain(&mut e)),
        show(b"ERR CODE:0x01090000\r\n\r\nERROR\r\nERR CODE:0x01090000\r\n\r\nERROR\r\n\r\nERROR\r\n")
    );
    // It survives AT+RST, and the commands it has still run.
    let _ = e.handle_uart(b"AT+RST\r\n");
    drain(&mut e);
    let _ = e.handle_uart(b"ATE0\r\nAT+HTTPCHEAD=0\r\nAT\r\n");
    let out = drain(&mut e);
    assert!(out.ends_with(b"ERROR\r\n\r\nOK\r\n"), "{}", show(&out));
    proves!(BaseGmrAtVersion);
}

#[test]
fn version_variants_change_exactly_their_behaviour() {
    // head_line_space (v2.2): a space after the comma, not counted.
    let mut e = version_engine("2.2");
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=1,,\"http://h/\",,,1\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
        7,
        false,
    );
    assert_eq!(
        show(&run.uart),
        show(b"+HTTPCLIENT:17, Content-Length: 5\r\n\r\nOK\r\n")
    );
    // status_error_bare (before v4.1): HTTPCGET ends a 404 with a bare ERROR, HTTPCLIENT
    // keeps its code.
    let mut e = version_engine("3.1");
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h/\"\r\n",
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nnf",
        5,
        false,
    );
    assert_eq!(show(&run.uart), show(b"+HTTPCGET:2,nf\r\n\r\nERROR\r\n"));
    let run = transact(
        &mut e,
        b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n",
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        5,
        false,
    );
    assert_eq!(
        show(&run.uart),
        show(b"ERR CODE:0x010a7194\r\n\r\nERROR\r\n")
    );
    // chead_appends (v3.1): a repeated name is one more entry.
    let _ = e.handle_uart(b"AT+HTTPCHEAD=3\r\na:1");
    let _ = e.handle_uart(b"AT+HTTPCHEAD=3\r\na:2");
    drain(&mut e);
    let _ = e.handle_uart(b"AT+HTTPCHEAD?\r\n");
    assert_eq!(
        show(&drain(&mut e)),
        show(b"+HTTPCHEAD:0,\"a:2\"\r\n+HTTPCHEAD:1,\"a:1\"\r\n\r\nOK\r\n")
    );
    // v4.1 replaces it, as the contract says.
    let mut e = version_engine("4.1");
    let _ = e.handle_uart(b"AT+HTTPCHEAD=3\r\na:1");
    let _ = e.handle_uart(b"AT+HTTPCHEAD=3\r\na:2");
    drain(&mut e);
    let _ = e.handle_uart(b"AT+HTTPCHEAD?\r\n");
    assert_eq!(
        show(&drain(&mut e)),
        show(b"+HTTPCHEAD:0,\"a:2\"\r\n\r\nOK\r\n")
    );
}

#[test]
fn a_data_phase_has_no_timeout() {
    // Half the body, then a silence far beyond the network timeout, then the rest: the
    // request goes out whole and the answer is SEND OK, not SEND FAIL.
    let mut e = quiet_engine();
    let mut run = Exchange::default();
    e.handle_time(0);
    let _ = e.handle_uart(b"AT+HTTPCPOST=\"http://h/p\",4\r\n");
    run.uart.extend(drain(&mut e));
    run.pump(&mut e);
    let _ = e.handle_uart(b"ab");
    run.pump(&mut e);
    for t in (1..=30).map(|s| s * 1000) {
        e.handle_time(t);
        run.uart.extend(drain(&mut e));
    }
    assert!(!show(&run.uart).contains("FAIL"), "{}", show(&run.uart));
    let _ = e.handle_uart(b"cd");
    run.pump(&mut e);
    assert!(
        run.request.ends_with(b"\r\n\r\nabcd"),
        "{}",
        show(&run.request)
    );
    let resp = ok_response(b"ok");
    let mut rest = &resp[..];
    while !rest.is_empty() {
        let n = e.handle_received(rest);
        rest = &rest[n..];
        run.uart.extend(drain(&mut e));
    }
    run.uart.extend(drain(&mut e));
    assert!(
        run.uart.ends_with(b"\r\nSEND OK\r\n"),
        "{}",
        show(&run.uart)
    );
    // The network timeout still counts from the last data byte.
    let mut e = quiet_engine();
    let mut run = Exchange::default();
    e.handle_time(0);
    let _ = e.handle_uart(b"AT+HTTPCPOST=\"http://h/p\",2\r\nxy");
    run.pump(&mut e);
    e.handle_time(5_001);
    run.uart.extend(drain(&mut e));
    assert!(
        run.uart.ends_with(b"\r\nSEND FAIL\r\n"),
        "{}",
        show(&run.uart)
    );
    proves!(HttpcsendDataNoTimeout);
}

/// Plays `response` to the request in flight and returns what the UART printed.
fn respond<const T: usize, const R: usize>(
    e: &mut Engine<T, R>,
    run: &mut Exchange,
    response: &[u8],
) -> Vec<u8> {
    let before = run.uart.len();
    run.pump(e);
    run.respond(e, response, usize::MAX);
    run.uart.extend(drain(e));
    run.actions(e);
    run.uart.split_off(before)
}

#[test]
fn esp_at_profiles_follow_redirects_with_method_headers_and_body() {
    proves!(HttpRedirectNotFollowed);
    let mut e = version_engine("4.1");
    let mut run = transact(
        &mut e,
        b"AT+HTTPCPOST=\"http://h:8080/a\",4,1,\"X-A: 1\"\r\nbody",
        b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://other/b?q\r\nContent-Length: 3\r\n\r\ntmp",
        64,
        false,
    );
    let first = std::mem::take(&mut run.request);
    let second_uart = respond(
        &mut e,
        &mut run,
        b"HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone",
    );
    let second = show(&run.request);
    // The old connection is given up, the new origin connected.
    assert_eq!(
        run.connects,
        [("h".into(), 8080, false), ("other".into(), 80, false)]
    );
    // One close for the redirect, one at the end.
    assert_eq!(run.closes, 2);
    assert!(
        first.starts_with(b"POST /a HTTP/1.1\r\n"),
        "{}",
        show(&first)
    );
    // Same method, fields and body; the target and Host name the new place.
    assert_eq!(
        second,
        show(&first)
            .replace("POST /a ", "POST /b?q ")
            .replace(&show(b"Host: h:8080\r\n"), &show(b"Host: other\r\n"))
    );
    assert!(second.ends_with(&show(b"X-A: 1\r\n\r\nbody")), "{second}");
    let uart = [run.uart.clone(), second_uart].concat();
    assert!(
        show(&uart).ends_with(&show(
            b"+HTTPCPOST:3,tmp\r\n+HTTPCPOST:4,done\r\n\r\nSEND OK\r\n"
        )),
        "{}",
        show(&uart)
    );
}

#[test]
fn a_path_location_stays_on_the_origin_and_the_eleventh_redirect_fails() {
    proves!(HttpRedirectNotFollowed);
    let mut e = version_engine("4.1");
    let redirect = b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 1\r\n\r\nr";
    let mut run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h:81/x\"\r\n",
        redirect,
        64,
        false,
    );
    let mut uart = run.uart.clone();
    for _ in 0..10 {
        run.request.clear();
        uart.extend(respond(&mut e, &mut run, redirect));
        assert!(
            run.request
                .starts_with(b"GET /loop HTTP/1.1\r\nHost: h:81\r\n"),
            "{}",
            show(&run.request)
        );
    }
    // One first request and ten followed; the eleventh 3xx ends on the failure path.
    assert_eq!(run.connects.len(), 11);
    assert!(run.connects.iter().all(|c| *c == ("h".into(), 81, false)));
    let tail = [b"+HTTPCGET:1,r\r\n".repeat(11), b"\r\nERROR\r\n".to_vec()].concat();
    assert!(uart.ends_with(&tail), "{}", show(&uart));
    assert!(!e.is_busy());
}

#[test]
fn the_contract_getsize_and_a_location_less_3xx_do_not_follow() {
    proves!(HttpRedirectNotFollowed, HttpgetsizeRedirectNotFollowed);
    let redirect = b"HTTP/1.1 301 Moved\r\nLocation: /else\r\nContent-Length: 5\r\n\r\nmoved";
    // The default engine (the contract's first reading) ends with the 3xx itself.
    let mut e = quiet_engine();
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h/\"\r\n",
        redirect,
        64,
        false,
    );
    assert_eq!(run.connects.len(), 1);
    assert!(show(&run.uart).ends_with(&show(b"+HTTPCGET:5,moved\r\n\r\nOK\r\n")));
    // AT+HTTPGETSIZE reports the 3xx's own size even where redirects are followed.
    let mut e = version_engine("4.1");
    let run = transact(
        &mut e,
        b"AT+HTTPGETSIZE=\"http://h/\"\r\n",
        redirect,
        64,
        false,
    );
    assert_eq!(run.connects.len(), 1);
    assert!(show(&run.uart).ends_with(&show(b"+HTTPGETSIZE:5\r\n\r\nOK\r\n")));
    // Without a Location there is nowhere to go.
    let run = transact(
        &mut e,
        b"AT+HTTPCGET=\"http://h/\"\r\n",
        b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n",
        64,
        false,
    );
    assert_eq!(run.connects.len(), 1);
    assert!(show(&run.uart).ends_with(&show(b"\r\nOK\r\n")));
}

#[test]
fn a_post_body_larger_than_the_tx_buffer_is_not_sent_twice() {
    // The documented limit: the engine streams bodies and keeps none, so a request that
    // outgrew the tx buffer cannot be repeated; the 3xx ends the command as unfollowed.
    let mut e = version_engine("4.1");
    let body = vec![b'b'; 5000];
    let mut uart = b"AT+HTTPCPOST=\"http://h/\",5000\r\n".to_vec();
    uart.extend_from_slice(&body);
    let run = transact(
        &mut e,
        &uart,
        b"HTTP/1.1 302 Found\r\nLocation: /else\r\nContent-Length: 0\r\n\r\n",
        64,
        false,
    );
    assert_eq!(run.connects.len(), 1);
    assert!(run.request.ends_with(&body));
    assert!(show(&run.uart).ends_with(&show(b"\r\nSEND OK\r\n")));
}

#[test]
fn versions_before_3_0_take_only_the_url_in_getsize() {
    proves!(HttpParamCountSized);
    for (version, refused) in [("2.2", true), ("2.3", true), ("3.0", false)] {
        let mut e = version_engine(version);
        let _ = e.handle_uart(b"AT+SYSLOG=1\r\n");
        drain(&mut e);
        let _ = e.handle_uart(b"AT+HTTPGETSIZE=\"http://h/\",100\r\n");
        let out = drain(&mut e);
        let expected_refusal = atspec_firmware::device::ANSWERS
            .reject(atspec_rt::RejectKind::ParamCount { given: 2 })
            .result;
        assert_eq!(
            out.ends_with(expected_refusal) && !e.is_busy(),
            refused,
            "{version}: {}",
            show(&out)
        );
        // The URL alone is a request everywhere.
        let run = transact(
            &mut e,
            b"AT+HTTPGETSIZE=\"http://h/\"\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
            64,
            false,
        );
        assert!(
            show(&run.uart).ends_with(&show(b"+HTTPGETSIZE:3\r\n\r\nOK\r\n")),
            "{version}"
        );
    }
}
