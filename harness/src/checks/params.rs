//! Parameter syntax: splitting, escapes, integers, strings, counts and positions.

use super::{Check, l, sent_answer_has};
use crate::syntax::host::Clause;
use crate::world::scenario::Scenario;
use crate::world::step::Step;

pub(super) fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "param.comma_splits_inside_quotes",
            &[Clause::ParamSplitComma, Clause::ParamStrQuoted],
            |c| {
                vec![
                    l(format!("AT+HTTPCGET=\"{}\"", c.wiremock_url("/a,b"))),
                    l("AT+HTTPCGET=abc"),
                ]
            },
        ),
        Check::new(
            "param.escape_unit",
            &[Clause::ParamSplitEscapeUnit, Clause::ParamStrUnescape],
            |c| {
                vec![
                    l(format!("AT+HTTPCGET=\"{}\"", c.raw_url("/a\\,b\\\"c\\n"))),
                    l(format!("AT+HTTPCGET=\"{}\\\\\"", c.raw_url("/x"))),
                ]
            },
        ),
        Check::new("param.max_count", &[Clause::ParamMaxCount], |c| {
            let headers = (0..11).map(|i| format!(",\"X-{i}:1\"")).collect::<String>();
            let many = (0..11)
                .map(|i| format!(",\"X-{i}:1\""))
                .take(10)
                .collect::<String>();
            vec![
                l(format!(
                    "AT+HTTPCLIENT=2,,\"{}\",,,1{headers}",
                    c.wiremock_url("/m")
                )),
                l(format!(
                    "AT+HTTPCLIENT=2,,\"{}\",,,1{many}",
                    c.wiremock_url("/m")
                )),
            ]
        })
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x01090000\r\n\r\nERROR\r\n")),
        Check::new(
            "param.positions",
            &[
                Clause::ParamPositions,
                Clause::ParamMissingIndex,
                Clause::HttpclientPositions,
            ],
            |c| {
                vec![
                    l(format!("AT+HTTPCGET=\"{}\",,,2000", c.wiremock_url("/p"))),
                    l(format!("AT+HTTPCLIENT=2,,\"{}\"", c.wiremock_url("/p"))),
                    l(format!("AT+HTTPCLIENT=2,,\"{}\",", c.wiremock_url("/p"))),
                    l(format!("AT+HTTPCLIENT=2,,\"{}\",,", c.wiremock_url("/p"))),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 1, b"ERR CODE:0x01080003\r\n\r\nERROR\r\n")),
        Check::new(
            "param.extra",
            &[
                Clause::ParamExtra,
                Clause::HttpParamCountSized,
                Clause::HttpurlcfgParamCount,
                Clause::HttpcheadParamCount,
            ],
            |c| {
                vec![
                    l(format!("AT+HTTPCGET=\"{}\",0,0,0,0", c.wiremock_url("/e"))),
                    l(format!(
                        "AT+HTTPGETSIZE=\"{}\",0,0,0,0",
                        c.wiremock_url("/e")
                    )),
                    l(format!("AT+HTTPCGET=\"{}\",0,0,0", c.wiremock_url("/e"))),
                    l("AT+HTTPURLCFG=0,1"),
                    l("AT+HTTPCHEAD=0,1"),
                    l("AT+SYSLOG=1,1"),
                ]
            },
        ),
        Check::new(
            "param.int_syntax",
            &[Clause::ParamIntSyntax, Clause::ErrcodeParaParseFail],
            |_| {
                vec![
                    l("AT+SYSLOG=1x"),
                    l("AT+SYSLOG= 1"),
                    l("AT+SYSLOG=+1"),
                    l("AT+SYSLOG=\"1\""),
                    l("AT+SYSLOG=0x1"),
                    l("AT+SYSLOG=0X0"),
                    l("AT+SYSLOG=-0"),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x01080000\r\n\r\nERROR\r\n")),
        Check::new(
            "param.int_bare_prefix",
            &[Clause::ParamIntBarePrefix],
            |_| {
                vec![
                    l("AT+SYSLOG=0x"),
                    l("AT+SYSLOG?"),
                    l("AT+SYSLOG=1"),
                    l("AT+SYSLOG=-"),
                    l("AT+SYSLOG?"),
                ]
            },
        ),
        Check::new("param.int_overflow", &[Clause::ParamIntOverflow], |_| {
            vec![
                l("AT+SYSLOG=4294967296"),
                l("AT+HTTPURLCFG=2147483648"),
                l("AT+HTTPURLCFG=4294967295"),
                l("AT+SYSLOG=0x100000000"),
            ]
        }),
        Check::new(
            "param.empty_quotes_and_lone_quote",
            &[Clause::ParamStrEmptyQuotes, Clause::ParamStrLoneQuote],
            |c| {
                vec![
                    l("AT+HTTPCGET=\"\""),
                    l("AT+HTTPCGET=\""),
                    l(format!(
                        "AT+HTTPCLIENT=3,,\"{}\",,,1,\"\"",
                        c.wiremock_url("/empty")
                    )),
                ]
            },
        ),
        Check::new(
            "param.dangling_escape",
            &[Clause::ParamStrDanglingEscape],
            |_| vec![l("AT+HTTPCGET=\"abc\\\""), l("AT+HTTPCGET=\"\\\"")],
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x01080000\r\n\r\nERROR\r\n")),
        Check::new("param.bare_quote", &[Clause::ParamStrBareQuote], |c| {
            vec![
                l("AT+HTTPCGET=\"a\"b\""),
                l(format!(
                    "AT+HTTPCLIENT=2,,\"{}\",\"h\"x\",,1",
                    c.wiremock_url("/q")
                )),
            ]
        }),
        Check::new(
            "param.json_body",
            &[
                Clause::ParamStrJsonEscapes,
                Clause::HttpclientContentTypeMap,
            ],
            |c| {
                vec![
                    Step::mock(Scenario::ok(b"{\"ok\":true}")),
                    l(format!(
                        "AT+HTTPCLIENT=3,1,\"{}\",,,1,\"{{\\\"a\\\":1\\,\\\"b\\\":\\\"x y\\\"}}\"",
                        c.wiremock_url("/json")
                    )),
                ]
            },
        ),
    ]
}
