//! Command-specific clauses: AT+HTTPCLIENT, AT+HTTPGETSIZE, AT+HTTPCGET, AT+HTTPCPOST/PUT,
//! AT+HTTPURLCFG and AT+HTTPCHEAD.

use super::{Check, Needs, bytes, l, sent_answer_has, store_header, store_url};
use crate::syntax::host::Clause;
use crate::world::scenario::{Fault, Framing, Scenario};
use crate::world::step::{DATA_PHASE_MAX, Step};

fn client(rest: &str) -> Step {
    l(format!("AT+HTTPCLIENT={rest}"))
}

pub(super) fn checks() -> Vec<Check> {
    let mut v = httpclient();
    v.extend(sized());
    v.extend(send());
    v.extend(urlcfg());
    v.extend(chead());
    v
}

fn httpclient() -> Vec<Check> {
    vec![
        Check::new(
            "httpclient.opt_required",
            &[Clause::HttpclientOptRequired],
            |c| {
                vec![
                    client(&format!(",,\"{}\",,,1", c.wiremock_url("/o"))),
                    client(&format!("x,,\"{}\",,,1", c.wiremock_url("/o"))),
                ]
            },
        ),
        Check::new(
            "httpclient.opt_unknown",
            &[Clause::HttpclientOptUnknown],
            |c| {
                vec![
                    client(&format!("6,,\"{}\",,,1", c.raw_url("/o"))),
                    client(&format!("0,,\"{}\",,,1", c.raw_url("/o"))),
                    client(&format!("-1,,\"{}\",,,1", c.raw_url("/o"))),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n")),
        Check::new(
            "framing.faults_either",
            &[Clause::FramingFaultsEither],
            |c| {
                vec![
                    l("AT+HTTPURLCFG=0"),
                    // An opt that names no method and no usable URL (none given, none stored):
                    // the answer to either fault passes; a third answer does not.
                    client("0,,\"\",,,1"),
                    client("9,0,,,,1"),
                    // AT+HTTPCPOST/PUT check the URL first (the order reference §2.4 states):
                    // no usable URL is a bare ERROR, though the length is malformed too…
                    l("AT+HTTPCPOST=\"\",\"1\",1,\":\""),
                    l("AT+HTTPCPUT=\"ftp:/x\",x"),
                    // …and with a usable URL the parser's own order decides.
                    l(format!("AT+HTTPCPOST=\"{}\",\"1\"", c.wiremock_url("/f"))),
                ]
            },
        )
        .assert(|t| {
            sent_answer_has(t, 3, b"\"1\",1,\":\"\r\n\r\nERROR\r\n")?;
            sent_answer_has(t, 4, b"\"ftp:/x\",x\r\n\r\nERROR\r\n")?;
            sent_answer_has(t, 5, b"ERR CODE:0x01080001\r\n\r\nERROR\r\n")
        }),
        Check::new(
            "httpclient.content_type",
            &[
                Clause::HttpclientContentTypeMap,
                Clause::HttpclientContentTypeAllMethods,
                Clause::HttpclientContentTypeRange,
            ],
            |c| {
                let u = c.raw_url("/ct");
                vec![
                    client(&format!("2,0,\"{u}\",,,1")),
                    client(&format!("2,1,\"{u}\",,,1")),
                    client(&format!("5,2,\"{u}\",,,1")),
                    client(&format!("1,3,\"{u}\",,,1")),
                    client(&format!("3,3,\"{u}\",,,1,\"<a/>\"")),
                    client(&format!("2,4,\"{u}\",,,1")),
                    client(&format!("2,-1,\"{u}\",,,1")),
                ]
            },
        ),
        Check::new(
            "httpclient.content_type_omitted",
            &[
                Clause::HttpclientContentTypeOmitted,
                Clause::HttpclientDataPostContentType,
            ],
            |c| {
                let u = c.raw_url("/ct");
                vec![
                    client(&format!("2,,\"{u}\",,,1")),
                    client(&format!("3,,\"{u}\",,,1,\"a=1\"")),
                    client(&format!(
                        "3,,\"{u}\",,,1,\"a=1\",\"Content-Type: text/plain\""
                    )),
                ]
            },
        ),
        Check::new(
            "httpclient.url_precedence",
            &[Clause::HttpclientUrlPrecedence],
            |c| {
                let mut v = store_url(&c.wiremock_url("/stored")).to_vec();
                v.push(client(&format!(
                    "2,,\"{}\",\"nowhere.invalid\",\"/ignored\",2",
                    c.raw_url("/given")
                )));
                v
            },
        ),
        Check::new(
            "httpclient.host_path",
            &[
                Clause::HttpclientUrlHostPath,
                Clause::HttpclientTransportHostPathScheme,
                Clause::HttpclientTransportDefault,
            ],
            |c| {
                let h = c.host().to_string();
                let p = |path: &str| c.path(path);
                vec![
                    client(&format!("2,,\"\",\"{h}\",\"{}\",1", p("/hp?x=1"))),
                    client(&format!("2,,\"\",\"{h}\",\"{}\",", p("/hp-default"))),
                    client(&format!("2,,,\"{h}\",\"{}\",2", p("/hp-tls"))),
                ]
            },
        )
        .needs(Needs::WellKnownPorts),
        Check::new(
            "httpclient.host_path_partial",
            &[Clause::HttpclientUrlHostPathPartial],
            |c| {
                let mut v = store_url(&c.wiremock_url("/stored")).to_vec();
                v.push(client("2,,\"\",\"127.0.0.1\",\"\",1"));
                v.push(client("2,,\"\",,\"/only-path\",1"));
                v
            },
        ),
        Check::new(
            "httpclient.urlcfg",
            &[
                Clause::HttpclientUrlUrlcfg,
                Clause::HttpclientTransportUrlSchemeWins,
            ],
            |c| {
                let mut v = vec![client("2,,\"\",\"\",\"\",1")];
                v.extend(store_url(&c.raw_url("/from-urlcfg")));
                v.push(client("2,,\"\",\"\",\"\",2"));
                v.push(client(&format!("2,,\"{}\",,,2", c.raw_url("/scheme-wins"))));
                v
            },
        ),
        Check::new(
            "httpclient.transport_range",
            &[Clause::HttpclientTransportRange],
            |c| {
                vec![
                    client(&format!("2,,\"{}\",,,3", c.wiremock_url("/t"))),
                    client(&format!("2,,\"{}\",,,0", c.wiremock_url("/t"))),
                ]
            },
        ),
        Check::new(
            "httpclient.data_and_headers",
            &[
                Clause::HttpclientDataPostOnly,
                Clause::HttpclientHeadersNeedColon,
                Clause::HttpclientHeadersVariadic,
            ],
            |c| {
                let u = c.raw_url("/d");
                vec![
                    client(&format!("2,,\"{u}\",,,1,\"X-Seventh: is a header\"")),
                    client(&format!("2,,\"{u}\",,,1,\"no colon\"")),
                    client(&format!(
                        "3,,\"{u}\",,,1,\"no colon is fine as data\",\"X-H: 1\""
                    )),
                    client(&format!(
                        "4,,\"{u}\",,,1,\"A: 1\",\"B: 2\",\"C: 3\",\"D: 4\",\"E: 5\""
                    )),
                ]
            },
        ),
        Check::new(
            "httpclient.data_required_for_post",
            &[Clause::HttpclientDataRequiredForPost],
            |c| {
                let u = c.raw_url("/p");
                vec![
                    client(&format!("3,,\"{u}\",,,1")),
                    client(&format!("3,,\"{u}\",,,1,")),
                    client(&format!("3,,\"{u}\",,,1,\"\"")),
                ]
            },
        ),
        Check::new(
            "httpclient.body_lines",
            &[Clause::HttpclientBodyLines],
            |c| {
                vec![
                    Step::mock(Scenario::ok(b"body of the response")),
                    client(&format!("2,,\"{}\",,,1", c.wiremock_url("/b"))),
                    client(&format!("5,,\"{}\",,,1", c.wiremock_url("/b"))),
                    client(&format!("4,,\"{}\",,,1", c.raw_url("/b"))),
                ]
            },
        ),
        Check::new(
            "httpclient.head_lines",
            &[Clause::HttpclientHeadHeaderLines],
            |c| {
                vec![
                    Step::mock(
                        Scenario::ok(b"not printed")
                            .header("X-Server", "mock")
                            .header("Cache-Control", "no-cache"),
                    ),
                    client(&format!("1,,\"{}\",,,1", c.raw_url("/head"))),
                    Step::mock(Scenario::status(404, b"missing")),
                    client(&format!("1,,\"{}\",,,1", c.raw_url("/head"))),
                ]
            },
        ),
        Check::new(
            "httpclient.transport_missing",
            &[Clause::HttpclientTransportDefault],
            |c| {
                // The line ends before transport_type: refused, or run with the seed's
                // "Default: 1" (the clause's alternative); either passes.
                vec![
                    Step::mock(Scenario::ok(b"tcp")),
                    client(&format!("2,,\"{}\",,", c.raw_url("/t"))),
                    l("AT"),
                ]
            },
        ),
        Check::new(
            "httpclient.head_no_body",
            &[
                Clause::HttpclientHeadNoBody,
                Clause::HttpclientHeadHeaderLines,
            ],
            |c| {
                // The raw server closes right after the head. The header block is long, so at
                // serial line rates the close arrives while the lines are still printed.
                let mut with_length = Scenario::ok(b"hello");
                let mut chunked = Scenario::ok(b"").framed(Framing::Close);
                for i in 0..16 {
                    let v = format!("value-{i}-{}", "v".repeat(40));
                    with_length = with_length.header(&format!("X-Line-{i}"), &v);
                    chunked = chunked.header(&format!("X-Line-{i}"), &v);
                }
                let chunked = chunked.header("Transfer-Encoding", "chunked");
                vec![
                    Step::mock(with_length),
                    client(&format!("1,,\"{}\",,,1", c.raw_url("/cl"))),
                    Step::mock(chunked),
                    client(&format!("1,,\"{}\",,,1", c.raw_url("/te"))),
                    l("AT"),
                ]
            },
        )
        .assert(|t| {
            // Every header line is printed (in whatever order) and the answer ends with OK.
            for i in [0, 1] {
                sent_answer_has(t, i, b"+HTTPCLIENT:17,Connection: close\r\n")?;
                sent_answer_has(t, i, b"+HTTPCLIENT:60,X-Line-15: value-15-")?;
                sent_answer_has(t, i, b"\r\nOK\r\n")?;
            }
            super::answers_end_at_their_final_result(t)
        }),
    ]
}

fn sized() -> Vec<Check> {
    vec![
        Check::new(
            "httpgetsize.report",
            &[Clause::HttpgetsizeReport, Clause::HttpgetsizeMethodGet],
            |c| {
                vec![
                    Step::mock(Scenario::ok(&[b'x'; 1234])),
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.wiremock_url("/size"))),
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.raw_url("/size"))),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"+HTTPGETSIZE:1234\r\n\r\nOK\r\n")),
        Check::new(
            "httpgetsize.no_length",
            &[Clause::HttpgetsizeNoLengthZero],
            |c| {
                vec![
                    Step::mock(Scenario::ok(b"abc").framed(Framing::Chunked {
                        piece: 2,
                        gap_ms: 0,
                    })),
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.raw_url("/chunked"))),
                    Step::mock(Scenario::ok(b"abc").framed(Framing::Close)),
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.raw_url("/close"))),
                ]
            },
        ),
        Check::new(
            "httpgetsize.status_ignored",
            &[Clause::HttpgetsizeStatusIgnored],
            |c| {
                vec![
                    Step::mock(Scenario::status(404, b"not here")),
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.wiremock_url("/404"))),
                    Step::mock(Scenario::status(500, b"")),
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.raw_url("/500"))),
                ]
            },
        ),
        Check::new(
            "httpgetsize.network_failure",
            &[Clause::HttpgetsizeNetworkFailure],
            |c| {
                vec![
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.closed("/x"))),
                    Step::mock(Scenario::ok(b"").fault(Fault::MalformedStatus)),
                    l(format!("AT+HTTPGETSIZE=\"{}\"", c.raw_url("/bad"))),
                ]
            },
        ),
        Check::new("httpcget.body_lines", &[Clause::HttpcgetBodyLines], |c| {
            vec![
                Step::mock(Scenario::ok(b"hello, world")),
                l(format!("AT+HTTPCGET=\"{}\"", c.wiremock_url("/g"))),
            ]
        })
        .assert(|t| sent_answer_has(t, 0, b"\r\nOK\r\n")),
        Check::new(
            "httpcget.network_failure",
            &[Clause::HttpcgetNetworkFailure],
            |c| {
                vec![
                    l(format!("AT+HTTPCGET=\"{}\"", c.closed("/x"))),
                    Step::mock(Scenario::ok(b"abcdef").fault(Fault::ResetAfter(2))),
                    l(format!("AT+HTTPCGET=\"{}\"", c.raw_url("/reset"))),
                ]
            },
        ),
    ]
}

fn send() -> Vec<Check> {
    vec![
        Check::new(
            "httpcsend.declared_limit",
            &[
                Clause::HttpcsendLengthRange,
                Clause::HttpcsendErrorBeforePrompt,
            ],
            |c| {
                let m = c.profile.send_length_max.unwrap_or(1) as usize;
                let u = c.raw_url("/limit");
                let mut v = vec![Step::mock(Scenario::ok(b"taken"))];
                if m <= DATA_PHASE_MAX {
                    v.push(l(format!("AT+HTTPCPOST=\"{u}\",{m}")));
                    v.push(bytes(vec![b'p'; m]));
                }
                v.push(l(format!("AT+HTTPCPOST=\"{u}\",{}", m + 1)));
                v.push(l(format!("AT+HTTPCPUT=\"{u}\",{}", m + 1)));
                v.push(l("AT"));
                v
            },
        )
        .needs(Needs::SendLimit),
        Check::new(
            "httpcsend.length_range",
            &[
                Clause::HttpcsendLengthRange,
                Clause::HttpcsendErrorBeforePrompt,
            ],
            |c| {
                let u = c.wiremock_url("/p");
                vec![
                    l(format!("AT+HTTPCPOST=\"{u}\",0")),
                    l(format!("AT+HTTPCPOST=\"{u}\",-1")),
                    l(format!("AT+HTTPCPUT=\"{u}\"")),
                    l("AT+HTTPCPOST=\"not a url\",5"),
                ]
            },
        ),
        Check::new(
            "httpcsend.method_and_raw_data",
            &[
                Clause::HttpcsendMethod,
                Clause::HttpcsendDataRaw,
                Clause::HttpcsendContentTypeDefault,
                Clause::HttpcputContentTypeDefault,
            ],
            |c| {
                // A command, a NUL and bytes no text has first: a device with a small
                // length limit gets those.
                let data = c.body(b"\r\nAT\x00\xff\"a\\,b");
                vec![
                    l(format!(
                        "AT+HTTPCPOST=\"{}\",{}",
                        c.raw_url("/post"),
                        data.len()
                    )),
                    bytes(data),
                    l(format!(
                        "AT+HTTPCPUT=\"{}\",{}",
                        c.wiremock_url("/put"),
                        data.len()
                    )),
                    bytes(data),
                ]
            },
        ),
        Check::new(
            "httpcsend.header_count",
            &[
                Clause::HttpcsendHeaderCntGoverns,
                Clause::HttpcsendHeaderCntNotEmpty,
            ],
            |c| {
                let u = c.raw_url("/hc");
                vec![
                    l(format!("AT+HTTPCPOST=\"{u}\",2,2,\"X-A: 1\",\"X-B: 2\"")),
                    bytes("ok"),
                    l(format!("AT+HTTPCPOST=\"{u}\",2,2,\"X-A: 1\"")),
                    l(format!("AT+HTTPCPOST=\"{u}\",2,1,\"X-A: 1\",\"X-B: 2\"")),
                    l(format!("AT+HTTPCPOST=\"{u}\",2,")),
                    l(format!("AT+HTTPCPOST=\"{u}\",2,0")),
                    bytes("ok"),
                    // Reference §2.4: a negative count skips the header loop (then exactly 3
                    // parameters), and a count above the headers written fails at the first
                    // missing one (ERR CODE 0x010800NN), whatever the count.
                    l(format!("AT+HTTPCPUT=\"{u}\",2,-1")),
                    bytes("ok"),
                    l(format!("AT+HTTPCPUT=\"{u}\",2,-1,\"X-A: 1\"")),
                    l(format!("AT+HTTPCPOST=\"{u}\",2,14,\"X-A: 1\"")),
                ]
            },
        ),
        Check::new(
            "httpcsend.header_colon",
            &[Clause::HttpcsendHeaderNeedColon],
            |c| {
                vec![l(format!(
                    "AT+HTTPCPUT=\"{}\",2,1,\"nocolon\"",
                    c.wiremock_url("/x")
                ))]
            },
        ),
        Check::new(
            "httpcsend.content_type_header",
            &[Clause::HttpcsendContentTypeHeader],
            |c| {
                vec![
                    l(format!(
                        "AT+HTTPCPOST=\"{}\",2,1,\"content-type: application/json\"",
                        c.raw_url("/j")
                    )),
                    bytes("{}"),
                ]
            },
        ),
        Check::new(
            "httpcsend.prompt_and_no_timeout",
            &[Clause::HttpcsendPrompt, Clause::HttpcsendDataNoTimeout],
            |c| {
                // Half the data, then a silence longer than the network timeout a device
                // applies by default (plus the profile's tolerance): a data phase has none.
                let pause = super::DEFAULT_TIMEOUT_MS + u64::from(c.profile.timing_tolerance_ms);
                let data = c.body(b"0123456789");
                let (first, rest) = data.split_at(data.len() / 2);
                vec![
                    l(format!(
                        "AT+HTTPCPOST=\"{}\",{}",
                        c.wiremock_url("/slow-data"),
                        first.len() + rest.len()
                    )),
                    bytes(first),
                    Step::pause(pause),
                    bytes(rest),
                ]
            },
        )
        .timing(),
        Check::new(
            "httpcsend.body_lines_and_send_ok",
            &[
                Clause::HttpcsendBodyLines,
                Clause::HttpcsendSendOk,
                Clause::ResultSendBytes,
            ],
            |c| {
                vec![
                    Step::mock(Scenario::ok(b"{\"stored\":true}")),
                    l(format!("AT+HTTPCPOST=\"{}\",4", c.wiremock_url("/p"))),
                    bytes("data"),
                    l(format!("AT+HTTPCPUT=\"{}\",4", c.raw_url("/p"))),
                    bytes("data"),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 1, b"\r\nSEND OK\r\n")),
        Check::new(
            "httpcsend.status_not_send_fail",
            &[Clause::HttpcsendStatusNotSendFail],
            |c| {
                vec![
                    Step::mock(Scenario::status(500, b"broken")),
                    l(format!("AT+HTTPCPOST=\"{}\",1", c.wiremock_url("/p"))),
                    bytes("x"),
                    Step::mock(Scenario::status(404, b"")),
                    l(format!("AT+HTTPCPUT=\"{}\",1", c.raw_url("/p"))),
                    bytes("x"),
                ]
            },
        ),
        Check::new("httpcsend.send_fail", &[Clause::HttpcsendSendFail], |c| {
            vec![
                l(format!("AT+HTTPCPOST=\"{}\",3", c.closed("/p"))),
                bytes("abc"),
                Step::mock(Scenario::ok(b"abcdef").fault(Fault::ResetAfter(1))),
                l(format!("AT+HTTPCPUT=\"{}\",3", c.raw_url("/p"))),
                bytes("abc"),
            ]
        })
        .assert(|t| sent_answer_has(t, 1, b"\r\nSEND FAIL\r\n")),
    ]
}

fn urlcfg() -> Vec<Check> {
    vec![
        Check::new(
            "httpurlcfg.length_range",
            &[Clause::HttpurlcfgLengthRange],
            |_| {
                vec![
                    l("AT+HTTPURLCFG=7"),
                    l("AT+HTTPURLCFG=8193"),
                    l("AT+HTTPURLCFG=-1"),
                    l("AT+HTTPURLCFG=8"),
                    bytes("http://x"),
                ]
            },
        ),
        Check::new("httpurlcfg.clear", &[Clause::HttpurlcfgClear], |c| {
            let mut v = store_url(&c.wiremock_url("/x")).to_vec();
            v.extend([
                l("AT+HTTPURLCFG=0"),
                l("AT+HTTPURLCFG?"),
                l("AT+HTTPCGET=\"\""),
            ]);
            v
        }),
        Check::new(
            "httpurlcfg.prompt",
            &[Clause::HttpurlcfgPrompt, Clause::ResultPromptBytes],
            |c| store_url(&c.wiremock_url("/prompted")).to_vec(),
        )
        .assert(|t| {
            sent_answer_has(t, 0, b"\r\nOK\r\n\r\n>")?;
            sent_answer_has(t, 1, b"\r\nSET OK\r\n")
        }),
        Check::new("httpurlcfg.nul", &[Clause::HttpurlcfgNul], |c| {
            let mut v = store_url(&c.wiremock_url("/kept")).to_vec();
            v.extend([
                l("AT+HTTPURLCFG=9"),
                bytes(b"http:/\x00/x"),
                l("AT+HTTPURLCFG?"),
            ]);
            v
        }),
        Check::new(
            "httpurlcfg.not_validated",
            &[Clause::HttpurlcfgNotValidated],
            |_| {
                let mut v = store_url("this is not a URL at all").to_vec();
                v.extend([l("AT+HTTPCGET=\"\""), l("AT+HTTPURLCFG?")]);
                v
            },
        ),
        Check::new(
            "httpurlcfg.replace",
            &[Clause::HttpurlcfgStoreReplace],
            |c| {
                let mut v = store_url(&c.wiremock_url("/first")).to_vec();
                v.extend(store_url(&c.raw_url("/second-one")));
                v.extend([l("AT+HTTPURLCFG?"), l("AT+HTTPCGET=\"\"")]);
                v
            },
        ),
        Check::new("httpurlcfg.query", &[Clause::HttpurlcfgQuery], |c| {
            let mut v = vec![l("AT+HTTPURLCFG?")];
            v.extend(store_url(&c.wiremock_url("/q")));
            v.push(l("AT+HTTPURLCFG?"));
            let long = c.wiremock_url(&format!("/{}", "L".repeat(3000)));
            v.extend(store_url(&long));
            v.push(l("AT+HTTPURLCFG?"));
            v
        }),
    ]
}

fn chead() -> Vec<Check> {
    vec![
        Check::new(
            "httpchead.length_range",
            &[Clause::HttpcheadLengthRange],
            |_| {
                vec![
                    l("AT+HTTPCHEAD=-1"),
                    l("AT+HTTPCHEAD=2147483647"),
                    l("AT+HTTPCHEAD?"),
                ]
            },
        ),
        Check::new(
            "httpchead.declared_limit",
            &[Clause::HttpcheadLengthRange, Clause::HttpcheadPrompt],
            |c| {
                // The profile's limit is taken; one past it is refused before any prompt.
                let m = c.profile.chead_entry_max.unwrap_or(1) as usize;
                let mut v = Vec::new();
                if m <= DATA_PHASE_MAX {
                    let mut entry = b"X:".to_vec();
                    entry.resize(m.max(2), b'y');
                    entry.truncate(m);
                    v.push(l(format!("AT+HTTPCHEAD={m}")));
                    v.push(bytes(entry));
                    v.push(l("AT+HTTPCHEAD=0"));
                }
                v.push(l(format!("AT+HTTPCHEAD={}", m + 1)));
                v.push(l("AT+HTTPCHEAD?"));
                v
            },
        )
        .needs(Needs::CheadLimit),
        Check::new("httpchead.clear", &[Clause::HttpcheadClear], |c| {
            let mut v = store_header(c.entry("X-A: 1", "X-A:1")).to_vec();
            v.extend(store_header(c.entry("X-B: 2", "X-B:2")));
            v.extend([l("AT+HTTPCHEAD=0"), l("AT+HTTPCHEAD?")]);
            v
        }),
        Check::new("httpchead.prompt", &[Clause::HttpcheadPrompt], |_| {
            store_header("a:b").to_vec()
        })
        .assert(|t| sent_answer_has(t, 0, b"\r\nOK\r\n\r\n>")),
        Check::new("httpchead.need_colon", &[Clause::HttpcheadNeedColon], |c| {
            let mut v = store_header(c.entry("no colon here", "nocol")).to_vec();
            v.extend([l("AT+HTTPCHEAD=5"), bytes(b"a:\x00bc"), l("AT+HTTPCHEAD?")]);
            v
        }),
        Check::new(
            "httpchead.verbatim_and_query",
            &[Clause::HttpcheadStoreVerbatim, Clause::HttpcheadQuery],
            |c| {
                let mut v = store_header(c.entry("X-Spaced:   value  ", "S: v ")).to_vec();
                v.extend(store_header(c.entry("Accept: */*", "A:*/*")));
                v.push(l("AT+HTTPCHEAD?"));
                v.push(l(format!("AT+HTTPCGET=\"{}\"", c.raw_url("/v"))));
                v
            },
        ),
        Check::new(
            "httpchead.replace_same_name",
            &[Clause::HttpcheadStoreReplaceSameName],
            |c| {
                let mut v = store_header(c.entry("X-A: 1", "X-A:1")).to_vec();
                v.extend(store_header(c.entry("X-B: 2", "X-B:2")));
                v.extend(store_header(c.entry("X-A: 3", "X-A:3")));
                v.extend(store_header(c.entry("x-a: 4", "x-a:4")));
                v.push(l("AT+HTTPCHEAD?"));
                v.push(l(format!("AT+HTTPCGET=\"{}\"", c.raw_url("/r"))));
                v
            },
        ),
        Check::new(
            "httpchead.apply_order",
            &[Clause::HttpcheadApplyOrder],
            |c| {
                let mut v = store_header(c.entry("X-Case: older", "C:o")).to_vec();
                v.extend(store_header(c.entry("x-case: newer", "c:n")));
                v.push(l(format!("AT+HTTPCLIENT=2,,\"{}\",,,1", c.raw_url("/o"))));
                v
            },
        ),
    ]
}
