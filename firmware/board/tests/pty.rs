//! The board over a real pseudo-terminal, against a real HTTP server on loopback.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use common::{serve_once, start};

#[test]
fn answers_at_over_a_real_pty() {
    let mut b = start();
    b.send(b"AT\r\n");
    b.expect(b"\r\nOK\r\n");
    b.send(b"AT+GMR\r\n");
    let got = b.read_until(b"\r\nOK\r\n");
    assert!(got.starts_with(b"AT version:atspec "));
}

#[test]
fn httpcget_fetches_from_a_real_server() {
    let mut b = start();
    let (port, request) = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nworld");
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/hello\"\r\n").as_bytes());
    b.expect(b"+HTTPCGET:5,world\r\n\r\nOK\r\n");
    let req = request.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        req.starts_with(b"GET /hello HTTP/1.1\r\n"),
        "{}",
        String::from_utf8_lossy(&req)
    );
    let ua = b"User-Agent: ESP32 HTTP Client/1.0\r\n";
    assert!(
        req.windows(ua.len()).any(|w| w == ua),
        "{}",
        String::from_utf8_lossy(&req)
    );
}

#[test]
fn connection_refused_then_at_still_answers() {
    let mut b = start();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    b.send(b"AT+SYSLOG=1\r\n");
    b.expect(b"\r\nOK\r\n");
    b.send(format!("AT+HTTPCLIENT=2,,\"http://127.0.0.1:{port}/\",,,1\r\n").as_bytes());
    b.expect(b"ERR CODE:0x010a7000\r\n\r\nERROR\r\n");
    b.send(b"AT\r\n");
    b.expect(b"\r\nOK\r\n");
}

#[test]
fn post_sends_binary_data_exactly() {
    let mut b = start();
    let (port, request) = serve_once(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    b.send(format!("AT+HTTPCPOST=\"http://127.0.0.1:{port}/up\",6\r\n").as_bytes());
    b.expect(b"\r\nOK\r\n\r\n>");
    b.send(b"a\r\n\0OK");
    b.expect(b"\r\nSEND OK\r\n");
    let req = request.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(req.starts_with(b"POST /up HTTP/1.1\r\n"));
    assert!(req.windows(17).any(|w| w == b"Content-Length: 6"));
}
