//! AT+HTTPCFG and HTTPS: modes, certificate indexes, and verification against each TLS front.

use super::{Check, Needs, l, sent_answer_has};
use crate::oracle::TlsFront;
use crate::syntax::host::Clause;

use TlsFront::{ClientAuth, Expired, Good, Untrusted, WrongName};

const TRUST: &[TlsFront] = &[Good, Untrusted, Expired, WrongName];

pub(super) fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "https.get",
            &[Clause::HttpUrlSchemeTransport, Clause::HttpcfgVerifyModes01],
            |c| {
                let u = c.tls_url(Good, "/secure?x=1");
                vec![
                    l(format!("AT+HTTPCGET=\"{u}\"")),
                    l(format!("AT+HTTPCLIENT=3,1,\"{u}\",,,1,\"{{}}\"")),
                    l(format!("AT+HTTPGETSIZE=\"{u}\"")),
                ]
            },
        )
        .needs(Needs::Fronts(&[Good])),
        // The declared class, both ways: AT+HTTPCLIENT (every version has it) to the good
        // front, which HTTPCFG mode 0 (the default) does not verify.
        Check::new("tls.class", &[Clause::ConformanceClassHttps], |c| {
            let u = c.tls_url(Good, "/class");
            vec![
                l("AT+SYSLOG=1"),
                l(format!("AT+HTTPCLIENT=2,0,\"{u}\",,,2")),
            ]
        })
        .needs(Needs::ClassFront),
        Check::new("httpcfg.mode_range", &[Clause::HttpcfgModeRange], |_| {
            vec![
                l("AT+HTTPCFG=4,0,0"),
                l("AT+HTTPCFG=-1"),
                l("AT+HTTPCFG="),
                l("AT+HTTPCFG=0"),
            ]
        }),
        Check::new(
            "httpcfg.indexes",
            &[Clause::HttpcfgIndexesModes13, Clause::HttpcfgIndexesMode0],
            |_| {
                vec![
                    l("AT+HTTPCFG=2"),
                    l("AT+HTTPCFG=2,0"),
                    l("AT+HTTPCFG=2,0,0"),
                    l("AT+HTTPCFG=1,-1,0"),
                    l("AT+HTTPCFG=0,0"),
                    l("AT+HTTPCFG=0,0,0"),
                    // Not indexes: no reading lets mode 0 take junk, or more fields than
                    // the syntax has.
                    l("AT+HTTPCFG=0,\"junk\",x,9,9"),
                    l("AT+HTTPCFG=0,0,0,0"),
                    l("AT+HTTPCFG=3,0,0"),
                ]
            },
        ),
        Check::new(
            "httpcfg.missing_certificates",
            &[Clause::HttpcfgNoCert, Clause::HttpcfgNoCa],
            |c| {
                // The first slots past the declared ones: a claim of N slots is exercised by
                // slot N being refused.
                let n = c.profile.certificates;
                vec![
                    l(format!("AT+HTTPCFG=1,{},0", n.certs.max(n.keys))),
                    l(format!("AT+HTTPCFG=2,0,{}", n.cas)),
                    l(format!("AT+HTTPCFG=3,0,{}", n.cas + 2)),
                    l(format!("AT+HTTPCFG=2,{},0", n.certs.max(n.keys) + 4)),
                ]
            },
        )
        .assert(|t| sent_answer_has(t, 0, b"NO CERT FOUND\r\n\r\nERROR\r\n")),
        Check::new(
            "httpcfg.verify_modes",
            &[
                Clause::HttpcfgModeMeaning,
                Clause::HttpcfgVerifyModes01,
                Clause::HttpcfgVerifyModes23,
                Clause::HttpcfgVerifyNoHostname,
            ],
            |c| {
                let mut v = Vec::new();
                for mode in ["0", "1,0,0", "2,0,0", "3,0,0"] {
                    v.push(l(format!("AT+HTTPCFG={mode}")));
                    for f in TRUST {
                        v.push(l(format!("AT+HTTPCGET=\"{}\"", c.tls_url(*f, "/v"))));
                    }
                }
                v
            },
        )
        .needs(Needs::Fronts(TRUST)),
        Check::new("httpcfg.client_cert", &[Clause::HttpcfgClientCert], |c| {
            let u = c.tls_url(ClientAuth, "/mutual");
            let mut v = Vec::new();
            for mode in ["0", "1,0,0", "2,0,0", "3,0,0"] {
                v.push(l(format!("AT+HTTPCFG={mode}")));
                v.push(l(format!("AT+HTTPCLIENT=2,,\"{u}\",,,1")));
            }
            v
        })
        .needs(Needs::Fronts(&[ClientAuth])),
        Check::new("httpcfg.global", &[Clause::HttpcfgGlobal], |c| {
            let u = c.tls_url(Untrusted, "/g");
            vec![
                l("AT+HTTPCFG=2,0,0"),
                l(format!("AT+HTTPCGET=\"{u}\"")),
                l(format!("AT+HTTPCLIENT=2,,\"{u}\",,,1")),
                l(format!("AT+HTTPGETSIZE=\"{u}\"")),
                l(format!("AT+HTTPCPOST=\"{u}\",1")),
                super::bytes("x"),
                l("AT+HTTPCFG=0"),
                l(format!("AT+HTTPCGET=\"{u}\"")),
            ]
        })
        .needs(Needs::Fronts(&[Untrusted])),
    ]
}
