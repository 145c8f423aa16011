//! The board at real serial line rates (115200 and 921600 baud, paced like a UART), against
//! real servers on loopback: HEAD, GET, POST and PUT of every command and a 100 KB body. Each
//! answer must end with its final result and nothing may follow it (`RESULT.FINAL.LAST`);
//! pacing changes timing only, never the bytes.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{Board, serve_with, start_at};

fn reply(bytes: Vec<u8>) -> impl FnOnce(TcpStream) + Send + 'static {
    move |mut s| {
        let _ = s.write_all(&bytes);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A HEAD answer whose server closes right after the head: at line rate the close arrives
/// while the header lines are still being printed (issue 14).
fn head_with_close(b: &mut Board) {
    let mut head = String::from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n");
    let mut expected = String::from("+HTTPCLIENT:17,Content-Length: 5\r\n");
    for i in 0..16 {
        let line = format!("X-Line-{i:02}: {}", "v".repeat(48));
        head.push_str(&line);
        head.push_str("\r\n");
        expected.push_str(&format!("+HTTPCLIENT:{},{line}\r\n", line.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    expected.push_str("+HTTPCLIENT:17,Connection: close\r\n\r\nOK\r\n");
    // The server also claims a chunked body once: a HEAD answer has none either way.
    for te in [false, true] {
        let h = if te {
            head.replace("Content-Length: 5", "Transfer-Encoding: chunked")
        } else {
            head.clone()
        };
        let want = if te {
            expected.replace(
                "+HTTPCLIENT:17,Content-Length: 5",
                "+HTTPCLIENT:26,Transfer-Encoding: chunked",
            )
        } else {
            expected.clone()
        };
        let (port, _) = serve_with(reply(h.into_bytes()));
        b.send(format!("AT+HTTPCLIENT=1,,\"http://127.0.0.1:{port}/h\",,,1\r\n").as_bytes());
        assert_eq!(text(&b.answer()), want);
    }
}

fn body_100_kb(b: &mut Board) {
    let (got, sent) = common::get_100_kb(b);
    b.silent_for(Duration::from_millis(250));
    assert!(got == sent, "the body arrived intact");
}

fn every_command(b: &mut Board) {
    let ok = |body: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    for opt in [2, 3, 4, 5] {
        let (port, req) = serve_with(reply(ok("answer")));
        let data = if opt == 3 { ",\"a=1\"" } else { "" };
        b.send(
            format!("AT+HTTPCLIENT={opt},0,\"http://127.0.0.1:{port}/m\",,,1{data}\r\n").as_bytes(),
        );
        let out = b.answer();
        assert_eq!(
            text(&out),
            "+HTTPCLIENT:6,answer\r\n\r\nOK\r\n",
            "opt {opt}"
        );
        let method = ["", "", "GET", "POST", "PUT", "DELETE"][opt];
        let seen = req.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(seen.starts_with(format!("{method} /m ").as_bytes()));
    }
    let (port, _) = serve_with(reply(ok("sized")));
    b.send(format!("AT+HTTPGETSIZE=\"http://127.0.0.1:{port}/s\"\r\n").as_bytes());
    assert_eq!(text(&b.answer()), "+HTTPGETSIZE:5\r\n\r\nOK\r\n");
    for (cmd, prefix) in [
        ("AT+HTTPCPOST", "+HTTPCPOST:"),
        ("AT+HTTPCPUT", "+HTTPCPUT:"),
    ] {
        let (port, req) = serve_with(reply(ok("stored")));
        b.send(format!("{cmd}=\"http://127.0.0.1:{port}/p\",7\r\n").as_bytes());
        b.expect(b"\r\nOK\r\n\r\n>");
        b.send(b"payload");
        assert_eq!(
            text(&b.answer()),
            format!("{prefix}6,stored\r\n\r\nSEND OK\r\n")
        );
        let seen = req.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(seen.windows(17).any(|w| w == b"Content-Length: 7"));
    }
    // An error status: body lines, ERR CODE, ERROR, and nothing after.
    b.send(b"AT+SYSLOG=1\r\n");
    b.expect(b"\r\nOK\r\n");
    let (port, _) = serve_with(reply(
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\ngone".to_vec(),
    ));
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/x\"\r\n").as_bytes());
    assert_eq!(
        text(&b.answer()),
        "+HTTPCGET:4,gone\r\nERR CODE:0x010a7194\r\n\r\nERROR\r\n"
    );
    b.responsive();
}

fn at_line_rate(baud: u32) {
    let mut b = start_at(baud);
    head_with_close(&mut b);
    every_command(&mut b);
    body_100_kb(&mut b);
    b.responsive();
}

#[test]
fn at_115200_baud() {
    at_line_rate(115_200);
}

#[test]
fn at_921600_baud() {
    at_line_rate(921_600);
}
