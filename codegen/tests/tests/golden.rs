//! Golden lines: the seed page's examples and the reference's edge cases parse to exactly the
//! expected typed commands or rejections.

use atspec_codegen_tests::device::*;
use atspec_rt::{RejectKind, Rejection};

fn parse_ok(line: &str) -> Command<'static> {
    // Leaking one small buffer per call keeps the tests readable; they run a few dozen times.
    let scratch: &'static mut [u8] = Box::leak(vec![0u8; 256].into_boxed_slice());
    match parse(line.as_bytes(), scratch) {
        Ok(c) => c,
        Err(r) => panic!("{line} was rejected: {r:?}"),
    }
}

fn reject(line: &str) -> Rejection {
    let mut scratch = [0u8; 256];
    match parse(line.as_bytes(), &mut scratch) {
        Ok(c) => panic!("{line} was accepted as {c:?}"),
        Err(r) => r,
    }
}

#[test]
fn seed_get_request() {
    let Command::HttpClient(c) =
        parse_ok(r#"AT+HTTPCLIENT=2,0,"http://httpbin.org/get","httpbin.org","/get",1"#)
    else {
        panic!("not HTTPCLIENT")
    };
    assert_eq!(c.opt, HttpClientOpt::Get);
    assert_eq!(c.content_type, Some(HttpClientContentType::FormUrlencoded));
    assert_eq!(c.url, Some(&b"http://httpbin.org/get"[..]));
    assert_eq!(c.host, Some(&b"httpbin.org"[..]));
    assert_eq!(c.path, Some(&b"/get"[..]));
    assert_eq!(c.transport_type, Some(HttpClientTransportType::Tcp));
    assert_eq!(c.data, None);
    assert!(c.http_req_header.is_empty());
}

#[test]
fn seed_head_and_post_requests() {
    let Command::HttpClient(head) =
        parse_ok(r#"AT+HTTPCLIENT=1,0,"http://httpbin.org/get","httpbin.org","/get",1"#)
    else {
        panic!()
    };
    assert_eq!(head.opt, HttpClientOpt::Head);
    let Command::HttpClient(post) = parse_ok(
        r#"AT+HTTPCLIENT=3,0,"http://httpbin.org/post","httpbin.org","/post",1,"field1=value1&field2=value2""#,
    ) else {
        panic!()
    };
    assert_eq!(post.opt, HttpClientOpt::Post);
    assert_eq!(post.data, Some(&b"field1=value1&field2=value2"[..]));
}

#[test]
fn seed_getsize_uses_defaults() {
    let Command::HttpGetSize(c) =
        parse_ok(r#"AT+HTTPGETSIZE="http://www.baidu.com/img/bdlogo.gif""#)
    else {
        panic!()
    };
    assert_eq!(c.url, Some(&b"http://www.baidu.com/img/bdlogo.gif"[..]));
    assert_eq!((c.tx_size, c.rx_size, c.timeout), (None, None, None));
    assert_eq!(c.tx_size_or_default(), 2048);
    assert_eq!(c.rx_size_or_default(), 2048);
    assert_eq!(c.timeout_or_default(), 5000);
}

#[test]
fn json_post_with_escapes_and_headers() {
    let Command::HttpClient(c) = parse_ok(
        r#"AT+HTTPCLIENT=3,1,"http://h/post",,,1,"{\"a\":1\,\"b\":\"x\"}","X-Id: 7","Accept: */*""#,
    ) else {
        panic!()
    };
    assert_eq!(c.content_type, Some(HttpClientContentType::Json));
    assert_eq!(c.host, None);
    assert_eq!(c.data, Some(&br#"{"a":1,"b":"x"}"#[..]));
    assert_eq!(
        c.http_req_header.as_slice(),
        [&b"X-Id: 7"[..], b"Accept: */*"]
    );
}

#[test]
fn httpcpost_with_counted_headers() {
    let Command::HttpCPost(c) =
        parse_ok(r#"AT+HTTPCPOST="http://h/p",12,2,"Content-Type: application/json","X-A: b""#)
    else {
        panic!()
    };
    assert_eq!(c.length, 12);
    assert_eq!(c.http_req_header_cnt, Some(2));
    assert_eq!(c.http_req_header.len(), 2);
    // Too few, too many, and an empty count.
    assert_eq!(
        reject(r#"AT+HTTPCPOST="u",5,2,"A: b""#).kind,
        RejectKind::ParseFailure { index: 4 }
    );
    assert_eq!(
        reject(r#"AT+HTTPCPOST="u",5,1,"A: b","C: d""#).kind,
        RejectKind::ParamCount { given: 5 }
    );
    assert_eq!(
        reject(r#"AT+HTTPCPOST="u",5,,"A: b""#).kind,
        RejectKind::InvalidParam { index: 2 }
    );
}

#[test]
fn base_commands_and_forms() {
    assert_eq!(parse_ok("AT"), Command::At);
    assert_eq!(parse_ok("ATE0"), Command::EchoOff);
    assert_eq!(parse_ok("ate1"), Command::EchoOn);
    assert_eq!(parse_ok("AT+GMR"), Command::Gmr);
    assert_eq!(parse_ok("AT+RST"), Command::Rst);
    assert_eq!(parse_ok("AT+SYSLOG?"), Command::SyslogQuery);
    assert_eq!(
        parse_ok("at+syslog=1"),
        Command::SyslogSet(SyslogSet {
            status: SyslogSetStatus::On
        })
    );
    assert_eq!(parse_ok("AT+HTTPURLCFG?"), Command::HttpUrlCfgQuery);
    assert_eq!(
        parse_ok("AT+HTTPURLCFG=0"),
        Command::HttpUrlCfgSet(HttpUrlCfgSet { url_length: 0 })
    );
    assert_eq!(
        parse_ok("AT+HTTPURLCFG=0x2000"),
        Command::HttpUrlCfgSet(HttpUrlCfgSet { url_length: 8192 })
    );
    assert_eq!(
        parse_ok("AT+HTTPCFG=0"),
        Command::HttpCfg(HttpCfg {
            auth_mode: HttpCfgAuthMode::None,
            pki_number: None,
            ca_number: None
        })
    );
    assert_eq!(
        parse_ok("AT+HTTPCFG=3,0,1"),
        Command::HttpCfg(HttpCfg {
            auth_mode: HttpCfgAuthMode::Mutual,
            pki_number: Some(0),
            ca_number: Some(1)
        })
    );
}

#[test]
fn rejections_carry_the_reference_error_codes() {
    use err_code::*;
    let long = format!("AT+HTTPCGET=\"{}\"", "a".repeat(300));
    let cases: &[(&str, RejectKind, Option<u32>)] = &[
        (&long, RejectKind::BadLine, Some(NO_AT)),
        ("XT", RejectKind::BadLine, Some(0x0103_0000)),
        ("AT+NOSUCH", RejectKind::UnknownCommand, Some(0x0109_0000)),
        (
            "AT+SYSLOG?x",
            RejectKind::UnknownCommand,
            Some(UNSUPPORTED_CMD),
        ),
        ("AT+HTTPCLIENT=?", RejectKind::MissingForm, None),
        ("AT+HTTPCGET", RejectKind::MissingForm, None),
        ("AT+HTTPCFG?", RejectKind::MissingForm, None),
        // host position missing → the getter for index 3 fails (reference §2.1).
        (
            r#"AT+HTTPCLIENT=2,0,"http://h/""#,
            RejectKind::ParseFailure { index: 3 },
            Some(0x0108_0003),
        ),
        (
            r#"AT+HTTPCGET="u",abc"#,
            RejectKind::ParseFailure { index: 1 },
            Some(0x0108_0001),
        ),
        (
            r#"AT+HTTPCGET=u"#,
            RejectKind::ParseFailure { index: 0 },
            Some(PARA_PARSE_FAIL),
        ),
        (
            r#"AT+HTTPCGET="u\""#,
            RejectKind::ParseFailure { index: 0 },
            Some(PARA_PARSE_FAIL),
        ),
        (
            r#"AT+HTTPCGET="u",10241"#,
            RejectKind::InvalidParam { index: 1 },
            None,
        ),
        (
            r#"AT+HTTPCGET="u",-1"#,
            RejectKind::InvalidParam { index: 1 },
            None,
        ),
        (
            r#"AT+HTTPCGET="u",1,2,180001"#,
            RejectKind::InvalidParam { index: 3 },
            None,
        ),
        (
            r#"AT+HTTPCGET="u",1,2,3,4"#,
            RejectKind::ParamCount { given: 5 },
            None,
        ),
        (
            "AT+HTTPURLCFG=7",
            RejectKind::InvalidParam { index: 0 },
            None,
        ),
        (
            "AT+HTTPURLCFG=8193",
            RejectKind::InvalidParam { index: 0 },
            None,
        ),
        (
            "AT+HTTPURLCFG=",
            RejectKind::InvalidParam { index: 0 },
            None,
        ),
        (
            "AT+HTTPCFG=0,0,0",
            RejectKind::ParamCount { given: 3 },
            None,
        ),
        (
            "AT+HTTPCFG=2",
            RejectKind::ParseFailure { index: 1 },
            Some(0x0108_0001),
        ),
        ("AT+HTTPCFG=4", RejectKind::InvalidParam { index: 0 }, None),
        (
            r#"AT+HTTPCLIENT=2,4,"u",,,1"#,
            RejectKind::InvalidParam { index: 1 },
            None,
        ),
        (
            r#"AT+HTTPCLIENT=2,0,"u",,,3"#,
            RejectKind::InvalidParam { index: 5 },
            None,
        ),
        (
            r#"AT+HTTPCLIENT=2,0,"u",,,1,"no colon""#,
            RejectKind::InvalidParam { index: 6 },
            None,
        ),
        (
            r#"AT+HTTPCLIENT=3,0,"u",,,1"#,
            RejectKind::ParseFailure { index: 6 },
            Some(0x0108_0006),
        ),
        (
            "AT+SYSLOG=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
            RejectKind::TooManyParams,
            Some(UNSUPPORTED_CMD),
        ),
    ];
    for (line, kind, code) in cases {
        let r = reject(line);
        assert_eq!((r.kind, r.err_code), (*kind, *code), "{line}");
        assert_eq!(r.result, Reply::Error.bytes(), "{line}");
    }
}

#[test]
fn open_enum_keeps_unknown_methods_for_the_command_to_refuse() {
    let Command::HttpClient(c) = parse_ok(r#"AT+HTTPCLIENT=9,,"http://h/",,,1"#) else {
        panic!()
    };
    assert_eq!(c.opt, HttpClientOpt::Other(9));
    assert_eq!(c.content_type, None);
    assert_eq!(c.transport_type_or_default(), HttpClientTransportType::Tcp);
}

#[test]
fn quirks_of_the_firmware_are_kept() {
    // `0x` alone reads as 0; a lone quote is an empty string; 4294967295 wraps to -1.
    assert_eq!(
        parse_ok("AT+HTTPURLCFG=0x"),
        Command::HttpUrlCfgSet(HttpUrlCfgSet { url_length: 0 })
    );
    let Command::HttpCGet(c) = parse_ok(r#"AT+HTTPCGET=""#) else {
        panic!()
    };
    assert_eq!(c.url, Some(&b""[..]));
    assert_eq!(
        reject("AT+HTTPURLCFG=4294967295").kind,
        RejectKind::InvalidParam { index: 0 }
    );
    assert_eq!(
        reject("AT+HTTPURLCFG=4294967296").kind,
        RejectKind::ParseFailure { index: 0 }
    );
}
