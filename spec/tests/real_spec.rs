//! The real spec lints clean and describes exactly the command set it claims to.

mod common;

use atspec_spec::model::{CodeVariable, FormKind, Group, ParamType, Presence, Spec};

fn spec() -> Spec {
    match atspec_spec::load(common::spec_path()) {
        Ok(s) => s,
        Err(d) => panic!("the real spec does not lint clean:\n{d}"),
    }
}

#[test]
fn has_the_eight_http_commands_and_six_base_commands() {
    let s = spec();
    let http: Vec<&str> = s
        .commands
        .iter()
        .filter(|c| c.group == Group::Http)
        .map(|c| c.name.value.as_str())
        .collect();
    assert_eq!(
        http,
        [
            "AT+HTTPCLIENT",
            "AT+HTTPGETSIZE",
            "AT+HTTPCGET",
            "AT+HTTPCPOST",
            "AT+HTTPCPUT",
            "AT+HTTPURLCFG",
            "AT+HTTPCHEAD",
            "AT+HTTPCFG"
        ]
    );
    let base: Vec<&str> = s
        .commands
        .iter()
        .filter(|c| c.group == Group::Base)
        .map(|c| c.name.value.as_str())
        .collect();
    assert_eq!(
        base,
        ["AT", "ATE0", "ATE1", "AT+GMR", "AT+RST", "AT+SYSLOG"]
    );
}

#[test]
fn every_command_has_exactly_its_documented_forms() {
    let s = spec();
    let expected: &[(&str, &[FormKind])] = &[
        ("AT", &[FormKind::Execute]),
        ("ATE0", &[FormKind::Execute]),
        ("ATE1", &[FormKind::Execute]),
        ("AT+GMR", &[FormKind::Execute]),
        ("AT+RST", &[FormKind::Execute]),
        ("AT+SYSLOG", &[FormKind::Query, FormKind::Set]),
        ("AT+HTTPCLIENT", &[FormKind::Set]),
        ("AT+HTTPGETSIZE", &[FormKind::Set]),
        ("AT+HTTPCGET", &[FormKind::Set]),
        ("AT+HTTPCPOST", &[FormKind::Set]),
        ("AT+HTTPCPUT", &[FormKind::Set]),
        ("AT+HTTPURLCFG", &[FormKind::Query, FormKind::Set]),
        ("AT+HTTPCHEAD", &[FormKind::Query, FormKind::Set]),
        ("AT+HTTPCFG", &[FormKind::Set]),
    ];
    assert_eq!(s.commands.len(), expected.len());
    for (name, forms) in expected {
        let cmd = s.command(name).unwrap_or_else(|| panic!("{name} missing"));
        let got: Vec<FormKind> = cmd.forms.iter().map(|(k, _)| k).collect();
        assert_eq!(&got, forms, "forms of {name}");
    }
}

#[test]
fn documented_status_table_is_complete_and_codes_add_up() {
    let s = spec();
    let statuses: Vec<u32> = s
        .error_codes
        .http_status
        .iter()
        .map(|h| h.status.value)
        .collect();
    let expected: Vec<u32> = (400..=417).chain(500..=505).collect();
    assert_eq!(statuses, expected);
    let status_code = s
        .error_codes
        .codes
        .iter()
        .find(|c| c.plus.as_ref().map(|p| p.value) == Some(CodeVariable::HttpStatus))
        .expect("an error code carrying the HTTP status");
    let base = s.code_value(status_code).unwrap();
    assert_eq!(base, 0x010a_7000);
    // The seed's table: 404 is 0x7194, 505 is 0x71f9.
    assert_eq!(base + 404, 0x010a_7194);
    assert_eq!(base + 505, 0x010a_71f9);
    let reason = |st: u32| {
        s.error_codes
            .http_status
            .iter()
            .find(|h| h.status.value == st)
            .map(|h| h.reason.as_str())
    };
    assert_eq!(reason(404), Some("Not Found"));
    assert_eq!(reason(417), Some("Expectation Failed"));
    assert_eq!(reason(505), Some("HTTP Version Not Supported"));
}

#[test]
fn fixed_error_codes_have_their_reference_values() {
    let s = spec();
    let value = |name: &str| s.code_value(s.error_code(name).unwrap()).unwrap();
    assert_eq!(value("NO_AT"), 0x0103_0000);
    assert_eq!(value("PARA_PARSE_FAIL"), 0x0108_0000);
    assert_eq!(value("UNSUPPORTED_CMD"), 0x0109_0000);
    assert_eq!(value("HTTP_CONNECT_FAILED"), 0x010a_7000);
    assert_eq!(value("BUSY"), 0x010b_0000);
}

#[test]
fn result_strings_are_byte_exact() {
    let s = spec();
    let bytes = |n: &str| s.result(n).unwrap().bytes.value.as_str();
    assert_eq!(bytes("ok"), "\r\nOK\r\n");
    assert_eq!(bytes("error"), "\r\nERROR\r\n");
    assert_eq!(bytes("send_ok"), "\r\nSEND OK\r\n");
    assert_eq!(bytes("send_fail"), "\r\nSEND FAIL\r\n");
    assert_eq!(bytes("set_ok"), "\r\nSET OK\r\n");
    assert_eq!(bytes("prompt"), "\r\nOK\r\n\r\n>");
    assert_eq!(bytes("busy"), "\r\nbusy p...\r\n");
    assert_eq!(s.framing.terminator.value, "\r\n");
    assert_eq!(s.error_codes.line.value, "ERR CODE:0x{code:08x}\r\n");
}

#[test]
fn limits_match_the_seed() {
    let s = spec();
    assert_eq!(s.limits.line_bytes.value, 256);
    assert_eq!(s.limits.max_params.value, 16);
    let range = |n: &str| {
        let r = s.range(n).unwrap();
        (
            r.range[0].value,
            r.range[1].value,
            r.default.as_ref().map(|d| d.value),
        )
    };
    assert_eq!(range("url_length"), (8, 8192, None));
    assert_eq!(range("buffer_size"), (0, 10240, Some(2048)));
    assert_eq!(range("timeout_ms"), (0, 180000, Some(5000)));
}

#[test]
fn httpclient_parameters_follow_the_seed_syntax() {
    let s = spec();
    let set = s
        .command("AT+HTTPCLIENT")
        .unwrap()
        .forms
        .set
        .as_ref()
        .unwrap();
    let names: Vec<&str> = set.params.iter().map(|p| p.name.value.as_str()).collect();
    assert_eq!(
        names,
        [
            "opt",
            "content_type",
            "url",
            "host",
            "path",
            "transport_type",
            "data"
        ]
    );
    let opt = &set.params[0];
    let methods: Vec<(i64, &str)> = opt
        .enum_values
        .iter()
        .map(|e| (e.value.value, e.meaning.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            (1, "HEAD"),
            (2, "GET"),
            (3, "POST"),
            (4, "PUT"),
            (5, "DELETE")
        ]
    );
    let ct: Vec<&str> = set.params[1]
        .enum_values
        .iter()
        .map(|e| e.meaning.as_str())
        .collect();
    assert_eq!(
        ct,
        [
            "application/x-www-form-urlencoded",
            "application/json",
            "multipart/form-data",
            "text/xml"
        ]
    );
    let transport = &set.params[5];
    assert_eq!(
        transport.default_value(&s),
        Some(atspec_spec::model::Value::Int(1))
    );
    let data = &set.params[6];
    assert_eq!(data.ty.value, ParamType::String);
    assert_eq!(data.presence.value, Presence::Required);
    let cond = data.only_if.as_ref().unwrap();
    assert_eq!(cond.param.value, "opt");
    assert_eq!(cond.values.iter().map(|v| v.value).collect::<Vec<_>>(), [3]);
    let headers = set.variadic.as_ref().unwrap();
    assert_eq!(headers.must_contain.as_ref().unwrap().value, ":");
    assert!(headers.count_param.is_none());
}

#[test]
fn data_mode_commands_take_a_length_and_print_the_prompt() {
    let s = spec();
    for name in [
        "AT+HTTPCPOST",
        "AT+HTTPCPUT",
        "AT+HTTPURLCFG",
        "AT+HTTPCHEAD",
    ] {
        let set = s.command(name).unwrap().forms.set.as_ref().unwrap();
        let data = set
            .data
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no data phase"));
        assert_eq!(data.prompt.value, "prompt");
        assert!(!data.echo, "{name} data must not be echoed");
        assert!(
            set.params
                .iter()
                .any(|p| p.name.value == data.length_param.value)
        );
    }
}

#[test]
fn clauses_are_many_sourced_and_used() {
    let s = spec();
    assert!(s.clauses.len() > 120, "only {} clauses", s.clauses.len());
    let seed = s
        .clauses
        .iter()
        .filter(|c| c.source.value.starts_with("seed"))
        .count();
    assert!(seed >= 30, "only {seed} clauses cite the seed first");
    // The seed-vs-firmware contradictions of reference §8 carry notes.
    for id in [
        "HTTPCLIENT.REDIRECT.NOT_FOLLOWED",
        "HTTPCLIENT.TRANSPORT.DEFAULT",
        "HTTPCPUT.CONTENT_TYPE.DEFAULT",
        "HTTPCFG.INDEXES.MODE_0",
    ] {
        let c = s.clause(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(c.note.is_some(), "{id} records no firmware note");
    }
    assert_eq!(
        s.clause("HTTPCLIENT.REDIRECT.NOT_FOLLOWED")
            .unwrap()
            .source
            .value,
        "seed"
    );
}
