//! Board benchmarks (a bench binary; `cargo bench -p atspec-board --bench board`):
//!
//! 1. AT+HTTPCGET of 1 MiB through `atspec-board --baud 921600`, three runs (min, median,
//!    max): UART bytes per second against the line rate (921,600 baud, 8N1 = 92,160 bytes/s).
//!    Each run reassembles the body from the `+HTTPCGET:<n>,` pieces and compares it with what
//!    the server sent, so a dropped or damaged piece fails the bench instead of flattering it.
//! 2. Peak RSS (VmHWM) of the board after downloading 1 MB and after 100 MB, unpaced (one run
//!    each): the engine streams, so memory must not grow with the body.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::fd::AsFd;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

/// The body the server sends: `size` bytes of a repeating alphabet.
fn body_byte(i: usize) -> u8 {
    b'a' + (i % 26) as u8
}

/// Reassembles the body from the UART bytes of an AT+HTTPCGET answer (echo off): every
/// `+HTTPCGET:<n>,<n bytes>\r\n` piece in order, then `\r\nOK\r\n`.
fn reassemble(uart: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    let mut at = 0;
    let prefix = b"+HTTPCGET:";
    while uart[at..].starts_with(prefix) {
        let start = at + prefix.len();
        let comma = uart[start..]
            .iter()
            .position(|&b| b == b',')
            .ok_or("a piece without a comma")?
            + start;
        let n: usize = std::str::from_utf8(&uart[start..comma])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or("a piece without a length")?;
        let data = comma + 1;
        if uart.len() < data + n + 2 || &uart[data + n..data + n + 2] != b"\r\n" {
            return Err(format!("piece at byte {at} is cut short"));
        }
        body.extend_from_slice(&uart[data..data + n]);
        at = data + n + 2;
    }
    if &uart[at..] != b"\r\nOK\r\n" {
        return Err(format!(
            "after the pieces: {:?}",
            String::from_utf8_lossy(&uart[at..])
        ));
    }
    Ok(body)
}

/// Serves `size` bytes of body (no `\r\nOK\r\n` inside) to every connection.
fn server(size: usize) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut s) = conn else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut req = Vec::new();
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(n) if n > 0 => req.extend_from_slice(&buf[..n]),
                        _ => return,
                    }
                }
                let _ = s.write_all(
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").as_bytes(),
                );
                let mut sent = 0;
                while sent < size {
                    let n = (size - sent).min(65536);
                    let block: Vec<u8> = (sent..sent + n).map(body_byte).collect();
                    if s.write_all(&block).is_err() {
                        return;
                    }
                    sent += n;
                }
            });
        }
    });
    port
}

fn board(args: &[&str]) -> (Child, File) {
    let exe = env!("CARGO_BIN_EXE_atspec-board");
    let mut child = Command::new(exe)
        .arg("--pty")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let path = first.trim().strip_prefix("PTY ").unwrap().to_owned();
    let port = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut t = tcgetattr(port.as_fd()).unwrap();
    cfmakeraw(&mut t);
    tcsetattr(port.as_fd(), SetArg::TCSANOW, &t).unwrap();
    (child, port)
}

/// Reads until `tail`; returns everything read.
fn capture(port: &mut File, tail: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 16];
    let mut all = Vec::new();
    loop {
        let n = port.read(&mut buf).unwrap();
        all.extend_from_slice(&buf[..n]);
        if all.ends_with(tail) {
            return all;
        }
    }
}

/// Reads until `tail`; returns the byte count.
fn until(port: &mut File, tail: &[u8]) -> usize {
    let mut buf = vec![0u8; 1 << 16];
    let mut last: Vec<u8> = Vec::new();
    let mut total = 0;
    loop {
        let n = port.read(&mut buf).unwrap();
        total += n;
        last.extend_from_slice(&buf[..n]);
        if last.ends_with(tail) {
            return total;
        }
        let keep = last.len().saturating_sub(tail.len());
        last.drain(..keep);
    }
}

fn get(port: &mut File, http: u16) -> (usize, f64) {
    port.write_all(format!("AT+HTTPCGET=\"http://127.0.0.1:{http}/\"\r\n").as_bytes())
        .unwrap();
    let t = Instant::now();
    let n = until(port, b"\r\nOK\r\n");
    (n, t.elapsed().as_secs_f64())
}

fn vm_hwm_kib(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    // 1. Line rate, three runs; each body is reassembled and compared.
    let size = 1usize << 20;
    let http = server(size);
    let (mut child, mut port) = board(&["--baud", "921600"]);
    until(&mut port, b"\r\nready\r\n");
    port.write_all(b"ATE0\r\n").unwrap();
    until(&mut port, b"\r\nOK\r\n");
    let expected: Vec<u8> = (0..size).map(body_byte).collect();
    let line = 921_600.0 / 10.0;
    let mut runs = Vec::new();
    for _ in 0..3 {
        port.write_all(format!("AT+HTTPCGET=\"http://127.0.0.1:{http}/\"\r\n").as_bytes())
            .unwrap();
        let t = Instant::now();
        let uart = capture(&mut port, b"\r\nOK\r\n");
        let secs = t.elapsed().as_secs_f64();
        let body = reassemble(&uart).unwrap_or_else(|e| panic!("the answer is damaged: {e}"));
        assert!(
            body == expected,
            "the reassembled body differs from what was sent"
        );
        runs.push((uart.len(), secs));
    }
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (bytes, secs) = runs[1];
    let rate = bytes as f64 / secs;
    let body = size as f64 / secs;
    println!(
        "line rate (1 MiB body, reassembled and compared; median of 3 runs, {:.2}–{:.2} s): {bytes} UART bytes in {secs:.2} s: UART {rate:.0} B/s ({:.1} % of 92160 B/s), body {body:.0} B/s ({:.1} % of the line)",
        runs[0].1,
        runs[2].1,
        100.0 * rate / line,
        100.0 * body / line
    );
    let _ = child.kill();
    let _ = child.wait();

    // 2. Peak RSS for 1 MB and 100 MB.
    for size in [1_000_000usize, 100_000_000] {
        let http = server(size);
        let (mut child, mut port) = board(&[]);
        until(&mut port, b"\r\nready\r\n");
        port.write_all(b"ATE0\r\n").unwrap();
        until(&mut port, b"\r\nOK\r\n");
        let (bytes, secs) = get(&mut port, http);
        println!(
            "peak RSS after a {size}-byte download (one run): {} KiB ({bytes} UART bytes in {secs:.2} s, {:.0} MB/s through the pty)",
            vm_hwm_kib(&child),
            bytes as f64 / secs / 1e6
        );
        let _ = child.kill();
        let _ = child.wait();
    }
}
