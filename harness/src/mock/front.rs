//! The gate in front of wiremock. wiremock buffers whatever a client sends and records every
//! request it sees, so nothing reaches it unchecked: this front reads each request head
//! (within [`HEAD_MAX`]), turns away foreign requests with 404 before their bodies are read,
//! refuses a head or body over the caps (431, 413) and closes, and relays everything else to
//! wiremock byte for byte, bodies counted as they pass (Content-Length or chunked).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use super::gate::Gate;
use super::raw::{BODY_MAX, HEAD_MAX};

/// Starts the front on `listener`, relaying to wiremock at `upstream`.
pub fn start(listener: TcpListener, upstream: SocketAddr, gate: Gate) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("atspec-wiremock-front".into())
        .spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let Some(permit) = gate.enter() else { continue };
                gate.connected(conn.peer_addr().ok());
                let gate = gate.clone();
                let _ = std::thread::Builder::new()
                    .name("atspec-front-conn".into())
                    .spawn(move || {
                        relay(conn, upstream, &gate);
                        drop(permit);
                    });
            }
        })?;
    Ok(())
}

/// Why a request is not relayed.
enum Stop {
    /// The connection ended (or idled out) between or inside requests.
    Closed,
    /// Answer this status line and close.
    Refuse(&'static str),
}

/// The client side of a connection, read through a buffer.
struct Client {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    /// Reads more bytes into the buffer.
    fn fill(&mut self) -> Result<(), Stop> {
        let mut chunk = [0u8; 8192];
        match self.s.read(&mut chunk) {
            Ok(0) | Err(_) => Err(Stop::Closed),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }

    /// The next request head, up to and with its blank line (CR LF or a bare LF).
    fn head(&mut self) -> Result<Vec<u8>, Stop> {
        loop {
            if self.buf.first() == Some(&0x16) {
                // A TLS ClientHello at a plain-HTTP port.
                return Err(Stop::Refuse("400 Bad Request"));
            }
            let end = [&b"\r\n\r\n"[..], b"\n\n"]
                .iter()
                .filter_map(|t| {
                    self.buf
                        .windows(t.len())
                        .position(|w| w == *t)
                        .map(|i| i + t.len())
                })
                .min();
            if let Some(end) = end {
                return Ok(self.buf.drain(..end).collect());
            }
            if self.buf.len() > HEAD_MAX {
                return Err(Stop::Refuse("431 Request Header Fields Too Large"));
            }
            self.fill()?;
        }
    }

    /// One line (a chunk size or a trailer), with its end.
    fn line(&mut self) -> Result<Vec<u8>, Stop> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                return Ok(self.buf.drain(..=i).collect());
            }
            if self.buf.len() > 1024 {
                return Err(Stop::Refuse("400 Bad Request"));
            }
            self.fill()?;
        }
    }

    /// Forwards `n` body bytes to `to`.
    fn forward(&mut self, mut n: usize, to: &mut TcpStream) -> Result<(), Stop> {
        while n > 0 {
            if self.buf.is_empty() {
                self.fill()?;
            }
            let k = n.min(self.buf.len());
            to.write_all(&self.buf[..k]).map_err(|_| Stop::Closed)?;
            self.buf.drain(..k);
            n -= k;
        }
        Ok(())
    }
}

/// A header's value, by case-insensitive name.
fn field<'a>(head: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    head.split(|&b| b == b'\n').skip(1).find_map(|l| {
        let c = l.iter().position(|&b| b == b':')?;
        l[..c]
            .trim_ascii()
            .eq_ignore_ascii_case(name)
            .then(|| l[c + 1..].trim_ascii())
    })
}

/// Relays one client connection to wiremock, request by request.
fn relay(conn: TcpStream, upstream: SocketAddr, gate: &Gate) {
    let _ = conn.set_nodelay(true);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let peer = conn.peer_addr().ok();
    let Ok(back) = conn.try_clone() else { return };
    let mut client = Client {
        s: conn,
        buf: Vec::new(),
    };
    let mut wire: Option<TcpStream> = None;
    let stop = loop {
        let head = match client.head() {
            Ok(h) => h,
            Err(s) => break s,
        };
        let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let mut parts = line.trim_ascii().splitn(3, |&b| b == b' ');
        let method = parts.next().unwrap_or_default();
        let target = parts.next().unwrap_or_default();
        if !gate.admits(target) {
            gate.foreign(peer, method, target);
            break Stop::Refuse("404 Not Found");
        }
        for f in crate::world::request::framing_faults(&head) {
            gate.fault("wiremock", &f);
        }
        let chunked = field(&head, b"transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().ends_with(b"chunked"));
        let length = match field(&head, b"content-length") {
            None => 0,
            Some(v) => match std::str::from_utf8(v)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
            {
                Some(n) if n > BODY_MAX as u64 => break Stop::Refuse("413 Content Too Large"),
                Some(n) => n as usize,
                None => break Stop::Refuse("400 Bad Request"),
            },
        };
        if wire.is_none() {
            let Ok(w) = TcpStream::connect(upstream) else {
                break Stop::Refuse("502 Bad Gateway");
            };
            let _ = w.set_nodelay(true);
            // wiremock's answers go back as they come, on a thread of their own.
            if let (Ok(mut from), Ok(mut to)) = (w.try_clone(), back.try_clone()) {
                let _ = std::thread::Builder::new()
                    .name("atspec-front-back".into())
                    .spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Write);
                    });
            }
            wire = Some(w);
        }
        let w = wire.as_mut().expect("just connected");
        if w.write_all(&head).is_err() {
            break Stop::Closed;
        }
        let body = if chunked {
            chunks(&mut client, w)
        } else {
            client.forward(length, w)
        };
        if let Err(s) = body {
            break s;
        }
        // The whole request is with wiremock: it counts as arrived.
        gate.arrived();
    };
    match stop {
        Stop::Closed => {
            if let Some(w) = &wire {
                let _ = w.shutdown(Shutdown::Write);
            }
        }
        Stop::Refuse(status) => {
            let mut c = client.s;
            let _ = c.write_all(
                format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                    .as_bytes(),
            );
            // Only now the wire: its end stops the thread relaying wiremock's answers, which
            // then ends the client's side too (before the answer, had the wire gone first).
            if let Some(w) = &wire {
                let _ = w.shutdown(Shutdown::Both);
            }
            let _ = c.shutdown(Shutdown::Write);
            // Let the answer reach the client before the socket goes (unread bytes would
            // turn the close into a reset).
            let _ = c.set_read_timeout(Some(Duration::from_millis(100)));
            let mut sink = [0u8; 4096];
            for _ in 0..20 {
                match c.read(&mut sink) {
                    Ok(0) => break,
                    Err(e) if !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Forwards a chunked body, counting its data against [`BODY_MAX`].
fn chunks(client: &mut Client, w: &mut TcpStream) -> Result<(), Stop> {
    let mut total = 0usize;
    loop {
        let line = client.line()?;
        let size = line
            .split(|&b| b == b';')
            .next()
            .and_then(|s| std::str::from_utf8(s.trim_ascii()).ok())
            .and_then(|s| usize::from_str_radix(s, 16).ok())
            .ok_or(Stop::Refuse("400 Bad Request"))?;
        total = total.saturating_add(size);
        if total > BODY_MAX {
            return Err(Stop::Refuse("413 Content Too Large"));
        }
        w.write_all(&line).map_err(|_| Stop::Closed)?;
        if size == 0 {
            // Trailers, up to the blank line.
            loop {
                let t = client.line()?;
                w.write_all(&t).map_err(|_| Stop::Closed)?;
                if t.trim_ascii().is_empty() {
                    return Ok(());
                }
            }
        }
        client.forward(size + 2, w)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wiremock stand-in: answers each request head with a fixed response and counts the
    /// bytes it received.
    fn upstream() -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let got = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = got.clone();
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || {
                    let mut c = c;
                    let mut buf = [0u8; 65536];
                    let mut all = Vec::new();
                    while let Ok(n) = c.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        seen.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
                        all.extend_from_slice(&buf[..n]);
                        if all.ends_with(b"0\r\n\r\n") || all.ends_with(b"abc") {
                            let _ = c.write_all(
                                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                            );
                            return;
                        }
                    }
                });
            }
        });
        (addr, got)
    }

    fn ask(port: u16, bytes: &[u8]) -> String {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = c.write_all(bytes);
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// Over the caps: 413/431 at once, nothing buffered or passed on. Foreign: 404, listed,
    /// never passed on. The device's requests (under the prefix, Content-Length or chunked)
    /// reach wiremock byte for byte.
    #[test]
    fn the_front_refuses_floods_and_strangers_and_relays_the_device() {
        let (up, got) = upstream();
        let gate = Gate::default();
        gate.set_prefix("/run");
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        start(l, up, gate.clone()).unwrap();
        let a = ask(
            port,
            b"POST /run/x HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000000\r\n\r\nabc",
        );
        assert!(a.starts_with("HTTP/1.1 413 "), "{a}");
        let mut flood = b"GET /run/x HTTP/1.1\r\nX-Pad: ".to_vec();
        flood.extend(std::iter::repeat_n(b'a', HEAD_MAX + 10));
        let a = ask(port, &flood);
        assert!(a.starts_with("HTTP/1.1 431 "), "{a}");
        let chunked_head = b"POST /run/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        let mut chunked = chunked_head.to_vec();
        chunked.extend_from_slice(format!("{:x}\r\n", BODY_MAX + 1).as_bytes());
        let a = ask(port, &chunked);
        assert!(a.starts_with("HTTP/1.1 413 "), "{a}");
        let a = ask(
            port,
            b"POST /elsewhere HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000000\r\n\r\n",
        );
        assert!(a.starts_with("HTTP/1.1 404 "), "{a}");
        // At most the chunked request's head went on (its body was refused at its size line);
        // the stand-in reads it on a thread of its own, so let it settle first.
        std::thread::sleep(Duration::from_millis(300));
        let passed = got.load(std::sync::atomic::Ordering::SeqCst);
        assert!(passed <= chunked_head.len(), "{passed} bytes passed");
        assert_eq!(gate.traffic().foreign, 1);
        assert_eq!(
            gate.traffic().foreign_listed[0].request,
            "POST /elsewhere from 127.0.0.1"
        );
        let req = b"POST /run/x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
        let a = ask(port, req);
        assert!(a.starts_with("HTTP/1.1 200 OK"), "{a}");
        assert!(a.ends_with("ok"), "{a}");
        assert_eq!(
            got.load(std::sync::atomic::Ordering::SeqCst) - passed,
            req.len()
        );
        let req = b"POST /run/c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        let before = got.load(std::sync::atomic::Ordering::SeqCst);
        let a = ask(port, req);
        assert!(a.starts_with("HTTP/1.1 200 OK"), "{a}");
        assert_eq!(
            got.load(std::sync::atomic::Ordering::SeqCst) - before,
            req.len()
        );
        assert_eq!(gate.traffic().sources.get("127.0.0.1"), Some(&6));
        // Every device request relayed whole counts as arrived; the refused ones and the
        // stranger's do not. The count is bumped by the thread that relays the request, which
        // the answer can outrun: wait for it (bounded) before judging.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while gate.arrivals() < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(gate.arrivals(), 2);
    }
}
