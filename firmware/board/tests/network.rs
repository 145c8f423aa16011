//! The board against real servers on loopback: downloads, long URLs, status codes, redirects,
//! stored headers, and every network fault — after each the board ends the command as the spec
//! says and answers `AT` with OK.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::time::Duration;

use common::{payload, serve_with, start};

fn reply(bytes: Vec<u8>) -> impl FnOnce(TcpStream) + Send + 'static {
    move |mut s| {
        let _ = s.write_all(&bytes);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn downloads_of_100_kb_and_chunked_bodies_are_byte_identical() {
    let mut b = start();
    let (got, sent) = common::get_100_kb(&mut b);
    assert!(got == sent);

    let (port, _) = serve_with(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for piece in [
            &b"4\r\nabc\r\r\n"[..],
            b"1A\r\n",
            b"abcdefghijklmnopqrstuvwxyz\r\n",
            b"0\r\n\r\n",
        ] {
            let _ = s.write_all(piece);
            s.flush().unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    b.send(format!("AT+HTTPCLIENT=2,,\"http://127.0.0.1:{port}/c\",,,1\r\n").as_bytes());
    let out = b.until_final();
    assert_eq!(
        payload(&out, b"+HTTPCLIENT:"),
        b"abc\rabcdefghijklmnopqrstuvwxyz"
    );
    assert!(out.ends_with(b"\r\nOK\r\n"));
}

#[test]
fn long_urls_via_httpurlcfg() {
    let mut b = start();
    for len in [300usize, 8192] {
        let (port, seen) = serve_with(reply(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
        ));
        let mut url = format!("http://127.0.0.1:{port}/").into_bytes();
        url.resize(len, b'q');
        b.send(format!("AT+HTTPURLCFG={len}\r\n").as_bytes());
        b.expect(b"\r\nOK\r\n\r\n>");
        b.send(&url);
        b.expect(b"\r\nSET OK\r\n");
        b.send(b"AT+HTTPCGET=\"\",10240\r\n");
        assert_eq!(text(&b.until_final()), "+HTTPCGET:2,ok\r\n\r\nOK\r\n");
        let req = seen.recv_timeout(Duration::from_secs(5)).unwrap();
        let path = &url[url.iter().position(|&c| c == b'/').unwrap() + 2..];
        let path = &path[path.iter().position(|&c| c == b'/').unwrap()..];
        assert!(
            req.starts_with(&[&b"GET "[..], path, b" HTTP/1.1\r\n"].concat()),
            "{len}"
        );
    }
}

#[test]
fn status_codes_redirects_and_stored_headers() {
    let mut b = start();
    b.send(b"AT+SYSLOG=1\r\n");
    b.expect(b"\r\nOK\r\n");
    for (status, code) in [(404, "0x010a7194"), (500, "0x010a71f4")] {
        let (port, _) = serve_with(reply(
            format!("HTTP/1.1 {status} X\r\nContent-Length: 1\r\n\r\n!").into_bytes(),
        ));
        b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\"\r\n").as_bytes());
        assert_eq!(
            text(&b.until_final()),
            format!("+HTTPCGET:1,!\r\nERR CODE:{code}\r\n\r\nERROR\r\n")
        );
    }
    let (port, seen) = serve_with(reply(
        b"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n"
            .to_vec(),
    ));
    b.send(format!("AT+HTTPCLIENT=2,,\"http://127.0.0.1:{port}/old\",,,1\r\n").as_bytes());
    assert_eq!(text(&b.until_final()), "\r\nOK\r\n");
    assert!(
        seen.recv_timeout(Duration::from_secs(5))
            .unwrap()
            .starts_with(b"GET /old ")
    );
    // Stored headers reach the server; the same name replaces; 0 clears.
    for h in [&b"X-Tag: one"[..], b"X-Tag: two", b"Accept: text/plain"] {
        b.send(format!("AT+HTTPCHEAD={}\r\n", h.len()).as_bytes());
        b.expect(b"\r\nOK\r\n\r\n>");
        b.send(h);
        b.expect(b"\r\nOK\r\n");
    }
    let (port, seen) = serve_with(reply(
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
    ));
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\"\r\n").as_bytes());
    b.until_final();
    let req = text(&seen.recv_timeout(Duration::from_secs(5)).unwrap());
    assert!(
        req.contains("X-Tag: two\r\n")
            && !req.contains("X-Tag: one")
            && req.contains("Accept: text/plain\r\n"),
        "{req}"
    );
    b.send(b"AT+HTTPCHEAD=0\r\n");
    b.expect(b"\r\nOK\r\n");
    let (port, seen) = serve_with(reply(
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
    ));
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\"\r\n").as_bytes());
    b.until_final();
    assert!(!text(&seen.recv_timeout(Duration::from_secs(5)).unwrap()).contains("X-Tag"));
}

#[test]
fn every_method_and_content_type_reaches_the_server() {
    let mut b = start();
    for (opt, method) in [
        (1, "HEAD"),
        (2, "GET"),
        (3, "POST"),
        (4, "PUT"),
        (5, "DELETE"),
    ] {
        for (ct, mime) in [
            (0, "application/x-www-form-urlencoded"),
            (1, "application/json"),
            (2, "multipart/form-data"),
            (3, "text/xml"),
        ] {
            let (port, seen) = serve_with(reply(
                b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
            ));
            let data = if opt == 3 { ",\"x=1\"" } else { "" };
            b.send(
                format!("AT+HTTPCLIENT={opt},{ct},\"http://127.0.0.1:{port}/m\",,,1{data}\r\n")
                    .as_bytes(),
            );
            let out = b.until_final();
            assert!(
                out.ends_with(b"\r\nOK\r\n"),
                "{method} {mime}: {}",
                text(&out)
            );
            let req = text(&seen.recv_timeout(Duration::from_secs(5)).unwrap());
            assert!(
                req.starts_with(&format!("{method} /m HTTP/1.1\r\n")),
                "{req}"
            );
            assert!(req.contains(&format!("Content-Type: {mime}\r\n")), "{req}");
        }
    }
}

#[test]
fn binary_put_arrives_exactly() {
    let mut b = start();
    let data: Vec<u8> = (0..=255u8).rev().collect();
    let (port, seen) = serve_with(|mut s| {
        let mut body = Vec::new();
        let mut buf = [0u8; 512];
        use std::io::Read;
        while body.len() < 256 {
            match s.read(&mut buf) {
                Ok(n) if n > 0 => body.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        assert_eq!(body.len(), 256);
        let _ = s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n");
    });
    b.send(
        format!(
            "AT+HTTPCPUT=\"http://127.0.0.1:{port}/bin\",{}\r\n",
            data.len()
        )
        .as_bytes(),
    );
    b.expect(b"\r\nOK\r\n\r\n>");
    b.send(&data);
    assert_eq!(text(&b.until_final()), "\r\nSEND OK\r\n");
    let head = text(&seen.recv_timeout(Duration::from_secs(5)).unwrap());
    assert!(
        head.starts_with("PUT /bin HTTP/1.1\r\n") && head.contains("Content-Length: 256\r\n"),
        "{head}"
    );
}

#[test]
fn network_faults_end_the_command_and_leave_the_board_responsive() {
    let mut b = start();
    // Reset mid-body (SO_LINGER 0 sends RST).
    let (port, _) = serve_with(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        std::thread::sleep(Duration::from_millis(50));
        let linger = nix::sys::socket::sockopt::Linger;
        let _ = nix::sys::socket::setsockopt(
            &s.as_fd(),
            linger,
            &nix::libc::linger {
                l_onoff: 1,
                l_linger: 0,
            },
        );
    });
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\"\r\n").as_bytes());
    assert_eq!(payload(&b.until_final(), b"+HTTPCGET:"), b"0123456789");
    b.responsive();
    // A chunked body cut off before its last chunk.
    let (port, _) = serve_with(reply(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec(),
    ));
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\"\r\n").as_bytes());
    assert_eq!(text(&b.until_final()), "+HTTPCGET:5,hello\r\n\r\nERROR\r\n");
    b.responsive();
    // A server that stalls past the timeout.
    let (port, _) = serve_with(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        std::thread::sleep(Duration::from_secs(2));
    });
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\",,,300\r\n").as_bytes());
    assert_eq!(text(&b.until_final()), "+HTTPCGET:3,abc\r\n\r\nERROR\r\n");
    b.responsive();
    // A garbage status line.
    let (port, _) = serve_with(reply(b"HTCPCP/1.0 418 teapot\r\n\r\n".to_vec()));
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\"\r\n").as_bytes());
    assert_eq!(text(&b.until_final()), "\r\nERROR\r\n");
    b.responsive();
    // A 64 KiB header block.
    let mut big = b"HTTP/1.1 200 OK\r\n".to_vec();
    while big.len() < 64 * 1024 {
        big.extend_from_slice(b"X-Padding: 0123456789012345678901234567890123456789\r\n");
    }
    big.extend_from_slice(b"\r\n");
    let (port, _) = serve_with(reply(big));
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/\"\r\n").as_bytes());
    assert_eq!(text(&b.until_final()), "\r\nERROR\r\n");
    b.responsive();
}
