//! The raw scripted server: plays any [`Scenario`] byte for byte, including what wiremock
//! cannot (chunked and trickled bodies, close-delimited bodies, stalls, resets, malformed
//! status lines, huge header blocks), and records every request exactly as received.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::gate::Gate;
use crate::world::HttpRequest;
use crate::world::Server;
use crate::world::scenario::{Fault, Framing, Scenario, reason};

/// A running raw server.
pub struct RawServer {
    /// Its port.
    pub port: u16,
    scenario: Arc<Mutex<Scenario>>,
    recorded: Arc<Mutex<Vec<HttpRequest>>>,
    gate: Gate,
}

impl RawServer {
    /// Starts serving on `listener`; `gate` says which requests are the device's.
    pub fn start(listener: TcpListener, gate: Gate) -> std::io::Result<RawServer> {
        let port = listener.local_addr()?.port();
        let scenario = Arc::new(Mutex::new(Scenario::default()));
        let recorded = Arc::new(Mutex::new(Vec::new()));
        accept(listener, scenario.clone(), recorded.clone(), gate.clone())?;
        Ok(RawServer {
            port,
            scenario,
            recorded,
            gate,
        })
    }

    /// Serves a second listener (port 80 for host/path mode) with the same script and record.
    pub fn also_serve(&self, listener: TcpListener) -> std::io::Result<()> {
        accept(
            listener,
            self.scenario.clone(),
            self.recorded.clone(),
            self.gate.clone(),
        )
    }

    /// Plays `s` from now on.
    pub fn set(&self, s: &Scenario) {
        *self.scenario.lock().expect("scenario lock") = s.clone();
    }

    /// Requests recorded since the last call.
    pub fn take(&self) -> Vec<HttpRequest> {
        std::mem::take(&mut *self.recorded.lock().expect("recorded lock"))
    }
}

/// Accepts connections on `listener` in a thread of its own, one thread per connection.
fn accept(
    listener: TcpListener,
    scenario: Arc<Mutex<Scenario>>,
    recorded: Arc<Mutex<Vec<HttpRequest>>>,
    gate: Gate,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("atspec-raw-server".into())
        .spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                // Past the cap the connection is closed at once (dropped).
                let Some(permit) = gate.enter() else { continue };
                let (s, r, g) = (scenario.clone(), recorded.clone(), gate.clone());
                let _ = std::thread::Builder::new()
                    .name("atspec-raw-conn".into())
                    .spawn(move || {
                        serve(conn, &s, &r, &g);
                        drop(permit);
                    });
            }
        })?;
    Ok(())
}

/// The largest request head read: a device's whole tx buffer (10240 bytes at most) with room.
pub const HEAD_MAX: usize = 64 * 1024;
/// The largest request body read: the most a device is asked to send (the virtual board's
/// AT+HTTPCPOST/PUT limit, 1 MiB) with room. Beyond it the server answers 413 and closes, and
/// records nothing: the device's request was not what its check expected.
pub const BODY_MAX: usize = (1 << 20) + 64 * 1024;

/// Refuses a request over the caps: `status`, then close.
fn refuse(conn: &mut TcpStream, status: &str) {
    let _ = conn.write_all(
        format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").as_bytes(),
    );
}

/// Reads one request: head, then a Content-Length body, each within its cap. A request that
/// is not the device's (see [`Gate`]) is recorded as foreign, answered 404 and not read on.
fn read_request(conn: &mut TcpStream, gate: &Gate) -> Option<HttpRequest> {
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // A TLS ClientHello at a plain-HTTP port: answer as an HTTP server would, and close.
    let head_end = loop {
        if buf.first() == Some(&0x16) {
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
            return None;
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > HEAD_MAX {
            refuse(conn, "431 Request Header Fields Too Large");
            return None;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = &buf[..head_end - 4];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next()?;
    let mut parts = request_line.splitn(3, |&b| b == b' ');
    let method = String::from_utf8_lossy(parts.next()?).into_owned();
    let target = parts.next()?.to_vec();
    if !gate.admits(&target) {
        gate.foreign(conn.peer_addr().ok(), method.as_bytes(), &target);
        refuse(conn, "404 Not Found");
        return None;
    }
    for f in crate::world::request::framing_faults(&buf[..head_end]) {
        gate.fault("the raw server", &f);
    }
    let headers: Vec<(Vec<u8>, Vec<u8>)> = lines
        .filter_map(|l| {
            let c = l.iter().position(|&b| b == b':')?;
            let v = &l[c + 1..];
            let v = v.strip_prefix(b" ").unwrap_or(v);
            Some((l[..c].to_vec(), v.to_vec()))
        })
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(b"content-length"))
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.trim().parse::<usize>().ok())
        .unwrap_or(0);
    if length > BODY_MAX {
        refuse(conn, "413 Content Too Large");
        return None;
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    Some(HttpRequest {
        server: Server::Raw,
        method,
        target: target.into(),
        headers: headers
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
        body: body.into(),
    })
}

fn serve(
    mut conn: TcpStream,
    scenario: &Mutex<Scenario>,
    recorded: &Mutex<Vec<HttpRequest>>,
    gate: &Gate,
) {
    let _ = conn.set_nodelay(true);
    let req = read_request(&mut conn, gate);
    // Counted after the head: a TLS front registers its relay connection before writing.
    gate.connected(conn.peer_addr().ok());
    let Some(req) = req else {
        return;
    };
    let s = scenario
        .lock()
        .expect("scenario lock")
        .answer_for(&req.target.0)
        .clone();
    let head_request = req.method == "HEAD";
    recorded.lock().expect("recorded lock").push(req);
    gate.arrived();
    std::thread::sleep(Duration::from_millis(s.delay_ms));
    if s.fault == Some(Fault::MalformedStatus) {
        let _ = conn.write_all(b"HTTP/1.1 two hundred OK\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", s.status, reason(s.status)).into_bytes();
    for (k, v) in s.head_lines(head_request) {
        head.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    if conn.write_all(&head).is_err() {
        return;
    }
    if head_request || s.bodiless() {
        return linger(conn);
    }
    let body = &s.body.0;
    let cut = match s.fault {
        Some(Fault::StallAfter(k) | Fault::ResetAfter(k)) if k < body.len() => k,
        _ => body.len(),
    };
    let _ = match s.framing {
        Framing::Length | Framing::Close => conn.write_all(&body[..cut]),
        Framing::Chunked { piece, gap_ms } => chunks(&mut conn, body, cut, piece.max(1), gap_ms),
    };
    match s.fault {
        Some(Fault::StallAfter(k)) if k < body.len() => stall(conn),
        Some(Fault::ResetAfter(k)) if k < body.len() => {
            let _ = conn.flush();
            let _ = socket2::SockRef::from(&conn).set_linger(Some(Duration::ZERO));
        }
        _ => linger(conn),
    }
}

/// Writes `body[..cut]` as chunks of `piece` bytes; the terminating chunk only when all of
/// the body was written. A cut inside a chunk leaves that chunk short of its announced size.
fn chunks(
    conn: &mut TcpStream,
    body: &[u8],
    cut: usize,
    piece: usize,
    gap_ms: u64,
) -> std::io::Result<()> {
    let mut at = 0;
    while at < body.len() {
        let end = (at + piece).min(body.len());
        conn.write_all(format!("{:x}\r\n", end - at).as_bytes())?;
        if cut < end {
            conn.write_all(&body[at..cut])?;
            return Ok(());
        }
        conn.write_all(&body[at..end])?;
        conn.write_all(b"\r\n")?;
        at = end;
        if gap_ms > 0 {
            conn.flush()?;
            std::thread::sleep(Duration::from_millis(gap_ms));
        }
    }
    conn.write_all(b"0\r\n\r\n")
}

/// Closes after the client has had a moment to read (a clean FIN, not a reset).
fn linger(conn: TcpStream) {
    let _ = conn.shutdown(std::net::Shutdown::Write);
    drain(conn, Duration::from_secs(2));
}

/// Sends nothing more and keeps the connection open until the client gives up.
fn stall(conn: TcpStream) {
    drain(conn, Duration::from_secs(200));
}

fn drain(mut conn: TcpStream, max: Duration) {
    let until = Instant::now() + max;
    let _ = conn.set_read_timeout(Some(Duration::from_millis(100)));
    let mut b = [0u8; 1024];
    while Instant::now() < until {
        match conn.read(&mut b) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A neighbour's (or a device's) oversized request is refused with 413/431 and never
    /// buffered: the server answers as soon as the head says how much would follow.
    #[test]
    fn oversized_requests_are_refused_not_buffered() {
        let server =
            RawServer::start(TcpListener::bind("127.0.0.1:0").unwrap(), Gate::default()).unwrap();
        let ask = |bytes: &[u8]| {
            let mut c = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let _ = c.write_all(bytes);
            let mut answer = Vec::new();
            let _ = c.read_to_end(&mut answer);
            String::from_utf8_lossy(&answer).into_owned()
        };
        let a = ask(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000000\r\n\r\nabc");
        assert!(a.starts_with("HTTP/1.1 413 "), "{a}");
        let mut flood = b"GET /x HTTP/1.1\r\nX-Pad: ".to_vec();
        flood.extend(std::iter::repeat_n(b'a', HEAD_MAX + 10));
        let a = ask(&flood);
        assert!(a.starts_with("HTTP/1.1 431 "), "{a}");
        assert!(server.take().is_empty(), "nothing oversized is recorded");
        // An ordinary request still goes through.
        let a = ask(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
        assert!(a.starts_with("HTTP/1.1 200 "), "{a}");
        assert_eq!(server.take().len(), 1);
    }
}
