//! The board against wiremock (a hyper HTTP/1.1 server): what the server records is what the
//! spec says each command sends.

mod common;

use std::net::TcpListener;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_recorded_by_wiremock_match_the_spec() {
    let server = MockServer::builder()
        .listener(TcpListener::bind("127.0.0.1:0").unwrap())
        .start()
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("pong"))
        .mount(&server)
        .await;
    let port = server.address().port();

    // The pty conversation is blocking I/O: run it off the async runtime.
    let outputs = tokio::task::spawn_blocking(move || {
        let mut b = common::start();
        let mut outs = Vec::new();
        b.send(b"AT+HTTPCHEAD=13\r\n");
        b.expect(b"\r\nOK\r\n\r\n>");
        b.send(b"X-Stored: yes");
        b.expect(b"\r\nOK\r\n");
        for opt in 1..=5 {
            for ct in 0..=3 {
                let data = if opt == 3 { ",\"k=v\\,w\"" } else { "" };
                b.send(format!("AT+HTTPCLIENT={opt},{ct},\"http://127.0.0.1:{port}/m{opt}{ct}?q=1\",,,1{data},\"X-Cmd: {opt}{ct}\"\r\n").as_bytes());
                outs.push(b.until_final());
            }
        }
        b.send(format!("AT+HTTPCPOST=\"http://127.0.0.1:{port}/post\",4\r\n").as_bytes());
        b.expect(b"\r\nOK\r\n\r\n>");
        b.send(b"\x00\r\n\xff");
        outs.push(b.until_final());
        outs
    })
    .await
    .unwrap();

    for out in &outputs[..20] {
        assert!(
            out.ends_with(b"\r\nOK\r\n"),
            "{}",
            String::from_utf8_lossy(out)
        );
    }
    assert!(outputs[20].ends_with(b"+HTTPCPOST:4,pong\r\n\r\nSEND OK\r\n"));
    let methods = ["HEAD", "GET", "POST", "PUT", "DELETE"];
    let mimes = [
        "application/x-www-form-urlencoded",
        "application/json",
        "multipart/form-data",
        "text/xml",
    ];
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 21);
    for (i, r) in requests[..20].iter().enumerate() {
        let (opt, ct) = (i / 4, i % 4);
        assert_eq!(r.method.as_str(), methods[opt]);
        assert_eq!(r.url.path(), format!("/m{}{}", opt + 1, ct));
        assert_eq!(r.url.query(), Some("q=1"));
        assert_eq!(r.headers.get("content-type").unwrap(), mimes[ct]);
        assert_eq!(
            r.headers.get("x-cmd").unwrap(),
            &format!("{}{}", opt + 1, ct)
        );
        assert_eq!(r.headers.get("x-stored").unwrap(), "yes");
        assert_eq!(
            r.headers.get("user-agent").unwrap(),
            "ESP32 HTTP Client/1.0"
        );
        assert_eq!(r.headers.get("host").unwrap(), &format!("127.0.0.1:{port}"));
        match methods[opt] {
            "POST" => assert_eq!(r.body, b"k=v,w"),
            "PUT" => assert_eq!(r.headers.get("content-length").unwrap(), "0"),
            _ => assert!(r.body.is_empty()),
        }
    }
    let post = &requests[20];
    assert_eq!(post.method.as_str(), "POST");
    assert_eq!(post.body, b"\x00\r\n\xff");
    assert_eq!(
        post.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
}
