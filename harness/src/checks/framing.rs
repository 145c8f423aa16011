//! Line framing, forms and result strings.

use super::{Check, bytes, l, sent_answer_has};
use crate::syntax::host::Clause;
use crate::world::scenario::Scenario;
use crate::world::step::Step;

pub(super) fn checks() -> Vec<Check> {
    vec![
        Check::new("result.final_last", &[Clause::ResultFinalLast], |c| {
            // After each answer that a device streams (header lines, body pieces, a data
            // phase), the harness listens: nothing may follow the final result.
            let mut head = Scenario::ok(b"12345");
            for i in 0..12 {
                head = head.header(&format!("X-H-{i}"), &"h".repeat(48));
            }
            let listen = || bytes("");
            vec![
                Step::mock(head),
                l(format!("AT+HTTPCLIENT=1,,\"{}\",,,1", c.raw_url("/h"))),
                listen(),
                listen(),
                Step::mock(Scenario::ok(b"posted")),
                l(format!("AT+HTTPCPOST=\"{}\",4", c.raw_url("/p"))),
                bytes("data"),
                listen(),
                l(format!("AT+HTTPCPUT=\"{}\",3", c.raw_url("/p"))),
                bytes("put"),
                listen(),
                l(format!("AT+HTTPGETSIZE=\"{}\"", c.raw_url("/p"))),
                listen(),
                Step::mock(Scenario::status(404, &[b'n'; 3000])),
                l(format!("AT+HTTPCLIENT=2,,\"{}\",,,1", c.raw_url("/404"))),
                listen(),
                l("AT"),
            ]
        })
        .assert(super::answers_end_at_their_final_result),
        // The 100 KB bodies, one per check: at a module's line rate each takes seconds, and
        // separate checks let a farm run them on different devices.
        Check::new(
            "result.final_last.cget_100k",
            &[Clause::ResultFinalLast],
            |c| {
                vec![
                    Step::mock(Scenario::ok(&vec![b'b'; 100 * 1024])),
                    l(format!("AT+HTTPCGET=\"{}\"", c.raw_url("/big"))),
                    bytes(""),
                    l("AT"),
                ]
            },
        )
        .assert(super::answers_end_at_their_final_result),
        Check::new(
            "result.final_last.client_100k",
            &[Clause::ResultFinalLast],
            |c| {
                vec![
                    Step::mock(Scenario::ok(&vec![b'b'; 100 * 1024])),
                    l(format!("AT+HTTPCLIENT=2,,\"{}\",,,1", c.raw_url("/big"))),
                    bytes(""),
                    l("AT"),
                ]
            },
        )
        .assert(super::answers_end_at_their_final_result),
        Check::new(
            "framing.terminator",
            &[Clause::FramingLineTerminator],
            |_| vec![bytes("AT\r"), bytes("\n"), bytes("AT\n"), bytes("\r\n")],
        ),
        Check::new(
            "framing.prefix",
            &[Clause::FramingLinePrefix, Clause::ErrcodeNoAt],
            |_| vec![l("XT"), l("A"), l("aT"), l("+HTTPCGET=\"x\"")],
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x01030000\r\n\r\nERROR\r\n")),
        Check::new("framing.empty_line", &[Clause::FramingLineEmpty], |_| {
            vec![l(""), l("AT")]
        }),
        Check::new(
            "framing.max_length",
            &[Clause::FramingLineMaxLength, Clause::FramingLineOverflow],
            |_| {
                // 254 bytes + CR LF = 256: executed. 300 bytes: the first 256 are discarded and
                // the tail is framed as a line of its own.
                let fits = format!("AT+SYSLOG={}1", "0".repeat(254 - 11));
                let long = format!("AT+SYSLOG={}1", "0".repeat(300));
                vec![
                    l(fits),
                    l(long),
                    bytes(format!("AT{}\r\r\n", "A".repeat(253))),
                ]
            },
        ),
        Check::new("framing.nul", &[Clause::FramingLineNul], |_| {
            vec![bytes(b"AT+GM\x00AT\r\n"), bytes(b"XYZ\x00\r\n")]
        }),
        Check::new(
            "framing.case",
            &[Clause::FramingNameCaseInsensitive],
            |_| vec![l("at+syslog?"), l("At+HttpUrlCfg?"), l("ate1")],
        ),
        Check::new(
            "framing.forms",
            &[Clause::FramingFormMarkers, Clause::FramingFormMissing],
            |_| {
                vec![
                    l("AT+SYSLOG?"),
                    l("AT+SYSLOG=1"),
                    l("AT+SYSLOG=?"),
                    l("AT+SYSLOG"),
                    l("AT+GMR?"),
                    l("AT=?"),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 2, b"AT+SYSLOG=?\r\n\r\nERROR\r\n")),
        Check::new(
            "framing.trailing_junk",
            &[Clause::FramingFormTrailingJunk, Clause::ErrcodeUnsupported],
            |_| vec![l("AT+SYSLOG?x"), l("AT+HTTPURLCFG=?1"), l("AT+HTTPCHEAD? ")],
        )
        .assert(|t| sent_answer_has(t, 0, b"ERR CODE:0x01090000\r\n\r\nERROR\r\n")),
        Check::new(
            "framing.unknown_command",
            &[Clause::FramingCommandUnknown],
            |_| vec![l("AT+NOPE"), l("AT+HTTPX=1"), l("AT+HTTPCLIENTS=2")],
        ),
        Check::new(
            "framing.set_one_param",
            &[Clause::FramingSetOneParamMin, Clause::ParamEmptyOmitted],
            |_| vec![l("AT+SYSLOG="), l("AT+HTTPURLCFG="), l("AT+HTTPCGET=")],
        ),
        Check::new(
            "result.ok_error_bytes",
            &[Clause::ResultOkBytes, Clause::ResultErrorBytes],
            |_| vec![l("AT"), l("AT+SYSLOG=2")],
        )
        .assert(|t| {
            sent_answer_has(t, 0, b"AT\r\n\r\nOK\r\n")?;
            sent_answer_has(t, 1, b"\r\nERROR\r\n")
        }),
        Check::new(
            "result.info_line",
            &[Clause::ResultInfoLineSeparation, Clause::SyslogQuery],
            |_| vec![l("AT+SYSLOG?"), l("AT+SYSLOG=0"), l("AT+SYSLOG?")],
        )
        .assert(|t| sent_answer_has(t, 0, b"+SYSLOG:1\r\n\r\nOK\r\n")),
    ]
}
