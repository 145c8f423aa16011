//! Base commands, echo, busy, SYSLOG and error codes.

use super::{Check, l, raw, sent_answer_has, store_header, store_url};
use crate::mock::scenario::Scenario;
use crate::step::Step;

pub(super) fn checks() -> Vec<Check> {
    vec![
        Check::new("base.at", &["BASE.AT.OK"], |_| vec![l("AT"), l("at")]),
        Check::new(
            "base.gmr",
            &["BASE.GMR.VERSION_LINES", "BASE.GMR.AT_VERSION"],
            |_| {
                // Echo on (any case of the name) and off: the version lines are found either way.
                vec![l("AT+GMR"), l("At+Gmr"), l("ATE0"), l("AT+GMR")]
            },
        ),
        Check::new(
            "base.rst_ready",
            &["BASE.RST.READY", "ECHO.DEFAULT_ON"],
            |_| vec![l("ATE0"), l("AT+RST"), l("AT")],
        )
        .assert(|t| sent_answer_has(t, 1, b"\r\nOK\r\n\r\nready\r\n")),
        Check::new(
            "base.rst_clears_state",
            &["BASE.RST.CLEARS_STATE", "SYSLOG.DEFAULT_OFF"],
            |c| {
                let mut v = Vec::new();
                v.extend(store_url(&c.wm("/stored")));
                v.extend(store_header("X-Kept: 1"));
                v.push(l("AT+HTTPCFG=2,0,0"));
                v.push(l("ATE0"));
                v.push(l("AT+RST"));
                v.extend([
                    l("AT+HTTPURLCFG?"),
                    l("AT+HTTPCHEAD?"),
                    l("AT+SYSLOG?"),
                    l("AT+NOPE"),
                ]);
                v.push(l(format!("AT+HTTPCGET=\"{}\"", c.raw("/after-reset"))));
                v
            },
        ),
        Check::new("echo.switch", &["ECHO.SWITCH", "ECHO.BYTES"], |_| {
            vec![
                l("ATE0"),
                l("AT"),
                l("ATE1"),
                l("AT"),
                raw("A"),
                raw("T\r\n"),
            ]
        })
        .assert(|t| {
            sent_answer_has(t, 1, b"\r\nOK\r\n")
                .and_then(|_| sent_answer_has(t, 3, b"AT\r\n\r\nOK\r\n"))
        }),
        Check::new("echo.data_mode_off", &["ECHO.DATA_MODE_OFF"], |c| {
            let mut v = vec![l("ATE1")];
            v.extend(store_url(&c.wm("/not-echoed")));
            v.extend(store_header("X-Not: echoed"));
            v
        }),
        Check::new(
            "busy.reject",
            &["BUSY.REJECT", "BUSY.ERR_CODE", "RESULT.BUSY.BYTES"],
            |c| {
                vec![
                    Step::mock(Scenario::ok(b"late").delayed(250)),
                    Step::line_then_busy(
                        format!("AT+HTTPCGET=\"{}\"", c.raw("/slow")),
                        b"AT\r\n".to_vec(),
                    ),
                    l("AT+SYSLOG=0"),
                    Step::line_then_busy(
                        format!("AT+HTTPCGET=\"{}\"", c.wm("/slow")),
                        b"AT+GMR\r\n".to_vec(),
                    ),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x010b0000\r\n\r\nbusy p...\r\n")),
        Check::new("busy.after_data", &["BUSY.AFTER_DATA"], |c| {
            vec![
                Step::mock(Scenario::ok(b"done").delayed(200)),
                l(format!("AT+HTTPCPOST=\"{}\",5", c.wm("/post"))),
                Step::Send {
                    bytes: b"hello".to_vec().into(),
                    busy: Some(b"\r\n".to_vec().into()),
                    within: None,
                },
            ]
        }),
        Check::new("busy.force_restart", &["BUSY.FORCE_RESTART"], |c| {
            vec![
                Step::mock(Scenario::ok(b"never").delayed(1500)),
                Step::line_then_busy(
                    format!("AT+HTTPCGET=\"{}\"", c.raw("/slow")),
                    b"AT+RST\r\n".to_vec(),
                ),
                l("AT+SYSLOG?"),
            ]
        })
        .assert(|t| sent_answer_has(t, 0, b"\r\nWill force to restart!!!\r\n")),
        Check::new("syslog.set", &["SYSLOG.SET", "ERRCODE.SYSLOG_ONLY"], |_| {
            vec![
                l("AT+SYSLOG=0"),
                l("AT+NOPE"),
                l("AT+SYSLOG=1"),
                l("AT+NOPE"),
                l("AT+SYSLOG=2"),
                l("AT+SYSLOG=-1"),
            ]
        })
        .assert(|t| sent_answer_has(t, 1, b"AT+NOPE\r\n\r\nERROR\r\n")),
        Check::new(
            "errcode.format",
            &["ERRCODE.FORMAT", "ERRCODE.BEFORE_RESULT", "ERRCODE.LAYOUT"],
            |c| {
                vec![
                    l("AT+NOPE"),
                    l("AT+SYSLOG=x"),
                    l("XX"),
                    // Letters among the hex digits: 0x010a7000.
                    l(format!("AT+HTTPCLIENT=9,,\"{}\",,,1", c.raw("/x"))),
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
                "ERRCODE.HTTP.STATUS",
                "ERRCODE.HTTP.TABLE",
                "HTTP.STATUS.ERROR",
            ],
            |c| {
                let mut v = Vec::new();
                for s in [400u16, 404, 417, 418, 500, 505, 599] {
                    v.push(Step::mock(Scenario::status(s, b"oops")));
                    v.push(l(format!("AT+HTTPCGET=\"{}\"", c.wm("/status"))));
                }
                v
            },
        )
        .assert(|t| sent_answer_has(t, 1, b"ERR CODE:0x010a7194\r\n\r\nERROR\r\n")),
        Check::new(
            "errcode.connect_failed",
            &["ERRCODE.HTTP.CONNECT_FAILED", "HTTPCLIENT.NETWORK.FAILURE"],
            |c| {
                vec![
                    l(format!("AT+HTTPCLIENT=2,,\"{}\",,,1", c.closed("/x"))),
                    l(format!("AT+HTTPCGET=\"{}\"", c.closed("/x"))),
                    Step::mock(
                        Scenario::ok(b"x").fault(crate::mock::scenario::Fault::MalformedStatus),
                    ),
                    l(format!("AT+HTTPCLIENT=2,,\"{}\",,,1", c.raw("/bad-status"))),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n")),
    ]
}
