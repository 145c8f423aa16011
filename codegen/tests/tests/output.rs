//! Response writers (device side) and the streaming decoder (host side) on the same bytes.

use atspec_codegen_tests::{device, host};
use atspec_rt::decode::Event;

fn written(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = Vec::new();
    f(&mut v);
    v
}

#[test]
fn writers_produce_the_template_bytes() {
    use device::respond::*;
    assert_eq!(
        written(|s| http_client_body(s, b"hi")),
        b"+HTTPCLIENT:2,hi\r\n"
    );
    assert_eq!(written(|s| http_c_get_body(s, b"")), b"+HTTPCGET:0,\r\n");
    assert_eq!(
        written(|s| http_get_size_size(s, 1234)),
        b"+HTTPGETSIZE:1234\r\n"
    );
    assert_eq!(
        written(|s| http_url_cfg_query_url(s, b"http://h/x")),
        b"+HTTPURLCFG:10,http://h/x"
    );
    assert_eq!(
        written(|s| http_c_head_query_entry(s, 0, b"Range: bytes=0-255")),
        b"+HTTPCHEAD:0,\"Range: bytes=0-255\"\r\n"
    );
    assert_eq!(written(http_cfg_no_ca), b"NO CA FOUND\r\n");
    assert_eq!(written(|s| syslog_query_status(s, 1)), b"+SYSLOG:1\r\n");
    assert_eq!(
        written(|s| err_code_line(s, device::err_code::http_status(404))),
        b"ERR CODE:0x010a7194\r\n"
    );
    assert_eq!(
        written(|s| err_code_line(s, device::err_code::para_parse_fail(3))),
        b"ERR CODE:0x01080003\r\n"
    );
    assert_eq!(
        written(|s| reply(s, device::Reply::Prompt)),
        b"\r\nOK\r\n\r\n>"
    );
}

#[test]
fn streaming_halves_match_the_whole_line() {
    use device::respond::*;
    let data = b"\r\nOK\r\n\0>";
    let whole = written(|s| http_c_post_body(s, data));
    let halves = written(|s| {
        http_c_post_body_head(s, data.len());
        s.extend_from_slice(data);
        http_c_post_body_tail(s);
    });
    assert_eq!(whole, halves);
    assert_eq!(whole, b"+HTTPCPOST:8,\r\nOK\r\n\0>\r\n");
}

/// A response stream whose payloads hold the bytes a line-based decoder would trip on.
fn tricky_stream() -> (Vec<u8>, Vec<Event>) {
    use device::respond::*;
    let p1 = b"ab\r\nOK\r\n\0>xy".to_vec();
    let p2 = b"\r\nERROR\r\n".to_vec();
    let p3 = b"+HTTPCGET:3,abc\r\n".to_vec();
    let mut s = Vec::new();
    http_c_get_body(&mut s, &p1);
    http_c_get_body(&mut s, &p2);
    http_c_get_body(&mut s, &p3);
    err_code_line(&mut s, device::err_code::http_status(500));
    reply(&mut s, device::Reply::Error);
    let events = vec![
        Event::Payload {
            command: "AT+HTTPCGET",
            data: p1,
        },
        Event::Payload {
            command: "AT+HTTPCGET",
            data: p2,
        },
        Event::Payload {
            command: "AT+HTTPCGET",
            data: p3,
        },
        Event::ErrCode(0x010a_71f4),
        Event::Result("error"),
    ];
    (s, events)
}

fn decode_in_pieces(stream: &[u8], cuts: &[usize]) -> Vec<Event> {
    let mut d = host::decoder();
    let mut out = Vec::new();
    let mut at = 0;
    for &c in cuts {
        out.extend(d.feed(&stream[at..c]));
        at = c;
    }
    out.extend(d.feed(&stream[at..]));
    out.extend(d.flush());
    assert!(d.pending().is_empty(), "left over: {:?}", d.pending());
    out
}

#[test]
fn payloads_are_framed_by_length_at_every_split() {
    let (stream, expected) = tricky_stream();
    assert_eq!(decode_in_pieces(&stream, &[]), expected);
    for cut in 1..stream.len() {
        assert_eq!(
            decode_in_pieces(&stream, &[cut]),
            expected,
            "split at {cut}"
        );
    }
    let every: Vec<usize> = (1..stream.len()).collect();
    assert_eq!(decode_in_pieces(&stream, &every), expected, "byte by byte");
}

#[test]
fn echo_info_lines_query_without_crlf_and_prompt() {
    use device::respond::*;
    let mut s = b"AT+HTTPURLCFG?\r\n".to_vec();
    http_url_cfg_query_url(&mut s, b"http://h/\r\nOK");
    reply(&mut s, device::Reply::Ok);
    let mut d = host::decoder();
    d.expect_echo(b"AT+HTTPURLCFG?\r\n");
    let mut events = Vec::new();
    for b in &s {
        events.extend(d.feed(std::slice::from_ref(b)));
    }
    events.extend(d.flush());
    assert_eq!(
        events,
        [
            Event::Echo(b"AT+HTTPURLCFG?\r\n".to_vec()),
            Event::Payload {
                command: "AT+HTTPURLCFG",
                data: b"http://h/\r\nOK".to_vec()
            },
            Event::Result("ok"),
        ]
    );

    // The prompt starts like OK: while a prompt may come, OK waits for the next bytes.
    let mut d = host::decoder();
    d.expect_prompt(true);
    assert_eq!(d.feed(b"\r\nOK\r\n"), []);
    assert_eq!(d.feed(b"\r\n>"), [Event::Result("prompt")]);
    let mut d = host::decoder();
    d.expect_prompt(true);
    assert_eq!(d.feed(b"\r\nOK\r\n"), []);
    assert_eq!(d.flush(), [Event::Result("ok")]);

    let mut d = host::decoder();
    let mut out = d.feed(b"+HTTPGETSIZE:42\r\n\r\nOK\r\nERR CODE:0x010b0000\r\n\r\nbusy p...\r\n");
    out.extend(d.flush());
    assert_eq!(
        out,
        [
            Event::Line(b"+HTTPGETSIZE:42".to_vec()),
            Event::Result("ok"),
            Event::ErrCode(0x010b_0000),
            Event::Result("busy"),
        ]
    );
}

#[test]
fn clause_table_and_codes_come_from_the_spec() {
    assert_eq!(device::Clause::ALL.len(), host::CLAUSES.len());
    assert!(host::CLAUSES.len() > 120);
    for info in host::CLAUSES {
        assert_eq!(info.clause.id(), info.id);
        assert_eq!(host::Clause::from_id(info.id), Some(info.clause));
        assert!(!info.statement.is_empty() && !info.source.is_empty());
    }
    let c = host::Clause::HttpclientRedirectNotFollowed;
    assert_eq!(c.id(), "HTTPCLIENT.REDIRECT.NOT_FOLLOWED");
    assert_eq!(device::err_code::NO_AT, 0x0103_0000);
    assert_eq!(device::err_code::HTTP_CONNECT_FAILED, 0x010a_7000);
    assert_eq!(device::err_code::BUSY, 0x010b_0000);
    assert_eq!(device::SPEC_NAME, "esp-at-http");
    assert_eq!(device::SPEC_HASH, host::SPEC_HASH);
    assert_eq!(
        device::Name::lookup(b"+httpclient"),
        Some(device::Name::HttpClient)
    );
}
