//! Base commands, echo, busy, SYSLOG and error codes.

use super::{Check, bytes, l, sent_answer_has, store_header, store_url};
use crate::syntax::host::Clause;
use crate::world::scenario::Scenario;
use crate::world::step::Step;

pub(super) fn checks() -> Vec<Check> {
    vec![
        Check::new("base.at", &[Clause::BaseAtOk], |_| vec![l("AT"), l("at")]),
        // A version profile's `lacks` is a claim: every HTTP command's test form, with SYSLOG
        // on, tells a command the device has (no test form: a plain ERROR) from one it lacks
        // (unknown: ERR CODE 0x01090000). Judged under every profile, never "not applicable".
        Check::new(
            "version.commands",
            &[Clause::FramingFormMissing, Clause::FramingCommandUnknown],
            |_| {
                let mut v = vec![l("AT+SYSLOG=1")];
                v.extend(
                    crate::syntax::device::Name::ALL
                        .iter()
                        .filter(|n| n.as_str().starts_with("AT+HTTP"))
                        .map(|n| l(format!("{}=?", n.as_str()))),
                );
                v.push(l("AT+NOSUCH=?"));
                v
            },
        ),
        Check::new(
            "base.gmr",
            &[Clause::BaseGmrVersionLines, Clause::BaseGmrAtVersion],
            |_| {
                // Echo on (any case of the name) and off: the version lines are found either way.
                vec![l("AT+GMR"), l("At+Gmr"), l("ATE0"), l("AT+GMR")]
            },
        ),
        Check::new(
            "base.rst_ready",
            &[Clause::BaseRstReady, Clause::EchoDefaultOn],
            |_| vec![l("ATE0"), l("AT+RST"), l("AT")],
        )
        .assert(|t| sent_answer_has(t, 1, b"\r\nOK\r\n\r\nready\r\n")),
        Check::new(
            "base.rst_clears_state",
            &[Clause::BaseRstClearsState, Clause::SyslogDefaultOff],
            |c| {
                let mut v = Vec::new();
                v.extend(store_url(&c.wiremock_url("/stored")));
                v.extend(store_header(c.entry("X-Kept: 1", "K:1")));
                v.push(l("AT+HTTPCFG=2,0,0"));
                v.push(l("ATE0"));
                v.push(l("AT+RST"));
                v.extend([
                    l("AT+HTTPURLCFG?"),
                    l("AT+HTTPCHEAD?"),
                    l("AT+SYSLOG?"),
                    l("AT+NOPE"),
                ]);
                v.push(l(format!("AT+HTTPCGET=\"{}\"", c.raw_url("/after-reset"))));
                v
            },
        ),
        Check::new(
            "echo.switch",
            &[Clause::EchoSwitch, Clause::EchoBytes],
            |_| {
                vec![
                    l("ATE0"),
                    l("AT"),
                    l("ATE1"),
                    l("AT"),
                    bytes("A"),
                    bytes("T\r\n"),
                ]
            },
        )
        .assert(|t| {
            sent_answer_has(t, 1, b"\r\nOK\r\n")
                .and_then(|_| sent_answer_has(t, 3, b"AT\r\n\r\nOK\r\n"))
        }),
        Check::new("echo.data_mode_off", &[Clause::EchoDataModeOff], |c| {
            let mut v = vec![l("ATE1")];
            v.extend(store_url(&c.wiremock_url("/not-echoed")));
            v.extend(store_header(c.entry("X-Not: echoed", "N:e")));
            v
        }),
        Check::new(
            "busy.reject",
            &[
                Clause::BusyReject,
                Clause::BusyErrCode,
                Clause::ResultBusyBytes,
            ],
            |c| {
                vec![
                    // Late enough that busy bytes written after the request still find the
                    // command running on a loaded machine.
                    Step::mock(Scenario::ok(b"late").delayed(600)),
                    Step::line_then_busy(
                        format!("AT+HTTPCGET=\"{}\"", c.raw_url("/slow")),
                        b"AT\r\n".to_vec(),
                    ),
                    l("AT+SYSLOG=0"),
                    Step::line_then_busy(
                        format!("AT+HTTPCGET=\"{}\"", c.wiremock_url("/slow")),
                        b"AT+GMR\r\n".to_vec(),
                    ),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n")),
        Check::new("busy.after_data", &[Clause::BusyAfterData], |c| {
            vec![
                Step::mock(Scenario::ok(b"done").delayed(600)),
                l(format!("AT+HTTPCPOST=\"{}\",5", c.wiremock_url("/post"))),
                Step::Send {
                    bytes: b"hello".to_vec().into(),
                    busy: Some(b"\r\n".to_vec().into()),
                    within: None,
                },
            ]
        }),
        Check::new("busy.force_restart", &[Clause::BusyForceRestart], |c| {
            vec![
                Step::mock(Scenario::ok(b"never").delayed(1500)),
                Step::line_then_busy(
                    format!("AT+HTTPCGET=\"{}\"", c.raw_url("/slow")),
                    b"AT+RST\r\n".to_vec(),
                ),
                l("AT+SYSLOG?"),
            ]
        })
        .assert(|t| sent_answer_has(t, 0, b"\r\nWill force to restart!!!\r\n")),
        Check::new(
            "syslog.set",
            &[Clause::SyslogSet, Clause::ErrcodeSyslogOnly],
            |_| {
                vec![
                    l("AT+SYSLOG=0"),
                    l("AT+NOPE"),
                    l("AT+SYSLOG=1"),
                    l("AT+NOPE"),
                    l("AT+SYSLOG=2"),
                    l("AT+SYSLOG=-1"),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 1, b"AT+NOPE\r\n\r\nERROR\r\n")),
        Check::new(
            "errcode.format",
            &[
                Clause::ErrcodeFormat,
                Clause::ErrcodeBeforeResult,
                Clause::ErrcodeLayout,
            ],
            |c| {
                vec![
                    l("AT+NOPE"),
                    l("AT+SYSLOG=x"),
                    l("XX"),
                    // Letters among the hex digits: 0x010a7000.
                    l(format!("AT+HTTPCLIENT=9,,\"{}\",,,1", c.raw_url("/x"))),
                ]
            },
        )
        .assert(|t| {
            sent_answer_has(t, 0, b"AT+NOPE\r\nERR CODE:0x01090000\r\n\r\nERROR\r\n")?;
            sent_answer_has(t, 1, b"ERR CODE:0x01080000\r\n")?;
            sent_answer_has(t, 2, b"ERR CODE:0x01030000\r\n")
        }),
        Check::new(
            "errcode.http_status",
            &[
                Clause::ErrcodeHttpStatus,
                Clause::ErrcodeHttpTable,
                Clause::HttpStatusError,
            ],
            |c| {
                let mut v = Vec::new();
                for s in [400u16, 404, 417, 418, 500, 505, 599] {
                    v.push(Step::mock(Scenario::status(s, b"oops")));
                    v.push(l(format!("AT+HTTPCGET=\"{}\"", c.wiremock_url("/status"))));
                }
                v
            },
        )
        .assert(|t| sent_answer_has(t, 1, b"ERR CODE:0x010a7194\r\n\r\nERROR\r\n")),
        Check::new(
            "errcode.connect_failed",
            &[
                Clause::ErrcodeHttpConnectFailed,
                Clause::HttpclientNetworkFailure,
            ],
            |c| {
                vec![
                    l(format!("AT+HTTPCLIENT=2,,\"{}\",,,1", c.closed("/x"))),
                    l(format!("AT+HTTPCGET=\"{}\"", c.closed("/x"))),
                    Step::mock(
                        Scenario::ok(b"x").fault(crate::world::scenario::Fault::MalformedStatus),
                    ),
                    l(format!(
                        "AT+HTTPCLIENT=2,,\"{}\",,,1",
                        c.raw_url("/bad-status")
                    )),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n")),
    ]
}
