//! Shared by the board's integration tests: start `atspec-board --pty`, talk to it, serve HTTP.
#![allow(dead_code)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::fd::AsFd;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

pub struct Board {
    child: Child,
    port: File,
}

impl Drop for Board {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start() -> Board {
    start_with(&[])
}

/// Starts the board with its UART output paced at `baud`, like a real serial line.
pub fn start_at(baud: u32) -> Board {
    start_with(&["--baud", &baud.to_string()])
}

/// Starts the board with extra arguments (e.g. `--pki DIR`).
pub fn start_with(args: &[&str]) -> Board {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atspec-board"));
    cmd.arg("--pty").args(args).stderr(Stdio::null());
    let (child, path) = atspec_board::announce::spawn_pty_board(cmd).expect("start atspec-board");
    let port = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .expect("open the pty");
    let mut t = tcgetattr(port.as_fd()).unwrap();
    cfmakeraw(&mut t);
    tcsetattr(port.as_fd(), SetArg::TCSANOW, &t).unwrap();
    let mut b = Board { child, port };
    b.expect(b"\r\nready\r\n");
    b.send(b"ATE0\r\n");
    b.expect(b"ATE0\r\n\r\nOK\r\n");
    b
}

impl Board {
    pub fn send(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).unwrap();
    }

    /// Reads until the output ends with `tail`, or fails after 10 s with what arrived.
    pub fn read_until(&mut self, tail: &[u8]) -> Vec<u8> {
        let (tx, rx) = mpsc::channel();
        let mut port = self.port.try_clone().unwrap();
        let tail = tail.to_vec();
        std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.ends_with(&tail) {
                match port.read(&mut buf) {
                    Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                    _ => break,
                }
            }
            let _ = tx.send(got);
        });
        rx.recv_timeout(Duration::from_secs(10))
            .expect("board answered in time")
    }

    pub fn expect(&mut self, exact: &[u8]) {
        let got = self.read_until(exact);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(exact)
        );
    }
}

/// A one-shot HTTP server: answers the next connection with `response` and returns the request.
pub fn serve_once(response: &'static [u8]) -> (u16, mpsc::Receiver<Vec<u8>>) {
    serve_with(move |mut s| {
        let _ = s.write_all(response);
    })
}

/// A one-shot server: reads the request head, then lets `answer` do anything with the socket.
/// Returns the port and the request head it saw.
pub fn serve_with(
    answer: impl FnOnce(std::net::TcpStream) + Send + 'static,
) -> (u16, mpsc::Receiver<Vec<u8>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 16384];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(n) if n > 0 => req.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        let _ = tx.send(req);
        answer(s);
    });
    (port, rx)
}

impl Board {
    /// Reads until the output ends with one of the final results.
    pub fn until_final(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while ![
            &b"\r\nOK\r\n"[..],
            b"\r\nERROR\r\n",
            b"\r\nSEND OK\r\n",
            b"\r\nSEND FAIL\r\n",
        ]
        .iter()
        .any(|t| out.ends_with(t))
        {
            out.extend(self.read_until(b"\r\n"));
        }
        out
    }

    /// Nothing arrives for `d`: what a host sees after a command's final result
    /// (`RESULT.FINAL.LAST`). Fails with the bytes that did arrive.
    pub fn silent_for(&mut self, d: Duration) {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = [PollFd::new(self.port.as_fd(), PollFlags::POLLIN)];
        let ms = PollTimeout::try_from(d.as_millis() as i32).unwrap();
        let ready = poll(&mut fds, ms).unwrap();
        if ready > 0 {
            let mut buf = [0u8; 4096];
            let n = self.port.read(&mut buf).unwrap_or(0);
            panic!(
                "output after the final result: {:?}",
                String::from_utf8_lossy(&buf[..n])
            );
        }
    }

    /// The answer up to its final result, then a check that nothing follows it.
    pub fn answer(&mut self) -> Vec<u8> {
        let out = self.until_final();
        self.silent_for(Duration::from_millis(250));
        out
    }

    /// `AT` → OK: the board is responsive.
    pub fn responsive(&mut self) {
        self.send(b"AT\r\n");
        self.expect(b"\r\nOK\r\n");
    }
}

/// AT+HTTPCGET of a 100 KB body of varied bytes from a one-shot server: returns the body
/// reassembled from the payload lines, and the body the server sent.
pub fn get_100_kb(b: &mut Board) -> (Vec<u8>, Vec<u8>) {
    let body: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(7919) >> 3) as u8)
        .collect();
    let mut resp =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    resp.extend_from_slice(&body);
    let (port, _) = serve_with(move |mut s| {
        let _ = s.write_all(&resp);
    });
    b.send(format!("AT+HTTPCGET=\"http://127.0.0.1:{port}/big\"\r\n").as_bytes());
    let mut out = Vec::new();
    while payload(&out, b"+HTTPCGET:").len() < body.len() || !out.ends_with(b"\r\nOK\r\n") {
        out.extend(b.read_until(b"\r\n"));
    }
    (payload(&out, b"+HTTPCGET:"), body)
}

/// The bytes of the `+CMD:<n>,<bytes>` payload lines in `out` (by length, not by line).
pub fn payload(out: &[u8], prefix: &[u8]) -> Vec<u8> {
    atspec_firmware::testkit::payloads(out, prefix).0
}
