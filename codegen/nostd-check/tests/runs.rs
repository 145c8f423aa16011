//! The no_std crate's handler, driven from a std test.

use atspec_nostd_check::{Uart, run_line};

fn out(line: &str, syslog: bool) -> Vec<u8> {
    let mut u = Uart::default();
    run_line(line.as_bytes(), &mut u, syslog);
    u.bytes().to_vec()
}

#[test]
fn dispatches_and_rejects_without_std() {
    assert_eq!(out("AT", false), b"\r\nOK\r\n");
    assert_eq!(
        out(r#"AT+HTTPCGET="x\,y""#, false),
        b"+HTTPCGET:3,x,y\r\n\r\nOK\r\n"
    );
    assert_eq!(
        out(r#"AT+HTTPGETSIZE="u",,512"#, false),
        b"+HTTPGETSIZE:512\r\n\r\nOK\r\n"
    );
    assert_eq!(out("AT+HTTPCPOST=\"u\",3", false), b"\r\nOK\r\n\r\n>");
    assert_eq!(
        out("AT+NOPE", true),
        b"ERR CODE:0x01090000\r\n\r\nERROR\r\n"
    );
    assert_eq!(out("AT+NOPE", false), b"\r\nERROR\r\n");
    assert_eq!(
        out("AT+HTTPCGET=\"u\",x", true),
        b"ERR CODE:0x01080001\r\n\r\nERROR\r\n"
    );
}
