//! Board benchmarks (a bench binary; `cargo bench -p atspec-board --bench board`):
//!
//! 1. AT+HTTPCGET of 1 MiB through `atspec-board --baud 921600`: UART bytes per second against
//!    the line rate (921,600 baud, 8N1 = 92,160 bytes/s).
//! 2. Peak RSS (VmHWM) of the board after downloading 1 MB and after 100 MB, unpaced: the
//!    engine streams, so memory must not grow with the body.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::fd::AsFd;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

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
                let block: Vec<u8> = (0..65536).map(|i| b'a' + (i % 26) as u8).collect();
                let mut left = size;
                while left > 0 {
                    let n = left.min(block.len());
                    if s.write_all(&block[..n]).is_err() {
                        return;
                    }
                    left -= n;
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
    // 1. Line rate.
    let http = server(1 << 20);
    let (mut child, mut port) = board(&["--baud", "921600"]);
    until(&mut port, b"\r\nready\r\n");
    port.write_all(b"ATE0\r\n").unwrap();
    until(&mut port, b"\r\nOK\r\n");
    let (bytes, secs) = get(&mut port, http);
    let line = 921_600.0 / 10.0;
    let rate = bytes as f64 / secs;
    let body = (1u64 << 20) as f64 / secs;
    println!(
        "line rate: 1 MiB body → {bytes} UART bytes in {secs:.2} s: UART {rate:.0} B/s ({:.1} % of 92160 B/s), body {body:.0} B/s ({:.1} % of the line)",
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
            "peak RSS after a {size}-byte download: {} KiB ({bytes} UART bytes in {secs:.2} s, {:.0} MB/s through the pty)",
            vm_hwm_kib(&child),
            bytes as f64 / secs / 1e6
        );
        let _ = child.kill();
        let _ = child.wait();
    }
}
