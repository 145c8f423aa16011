//! Benchmark: the bare-metal image (`firmware/bare/`, built by `ci/bare-metal.sh`) in QEMU's
//! `virt` machine. Prints, each the median of 3 runs with min–max:
//! - boot to `ready` (QEMU started with its UART client already connected);
//! - one AT+HTTPCGET of 1 MiB (rx size 10240) through the emulated 16550, the body reassembled
//!   from the payload lines and compared with what the server sent;
//! - `atspec certify` wall time (every clause + 200 fuzzed sequences) against the image and
//!   against the virtual board.
//!
//! `ci/bare-metal.sh && cargo bench -p atspec --bench bare`. QEMU's 16550 does not pace its
//! output to a baud rate: it moves bytes as fast as the chardev takes them, so the HTTPCGET
//! figure is the emulated system's own rate (engine, smoltcp, virtio, UART emulation).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BODY: usize = 1 << 20;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn image() -> PathBuf {
    root().join("firmware/bare/target/riscv32imc-unknown-none-elf/release/atspec-bare")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// QEMU with the image, its UART connected; returns the child, the UART and boot-to-ready.
fn boot(forward: Option<u16>) -> (Child, TcpStream, Duration) {
    let port = free_port();
    let mut netdev = "user,id=net0,restrict=on".to_string();
    if let Some(p) = forward {
        netdev.push_str(&format!(
            ",guestfwd=tcp:10.0.2.100:{p}-cmd:{} relay 127.0.0.1:{p}",
            env!("CARGO_BIN_EXE_atspec")
        ));
    }
    let child = Command::new("qemu-system-riscv32")
        .args([
            "-machine", "virt", "-bios", "none", "-m", "64M", "-smp", "1",
        ])
        .args(["-display", "none", "-monitor", "none", "-nodefaults"])
        .arg("-chardev")
        .arg(format!(
            "socket,id=at,host=127.0.0.1,port={port},server=on,wait=on,nodelay=on"
        ))
        .args(["-serial", "chardev:at", "-netdev", &netdev])
        .args(["-device", "virtio-net-device,netdev=net0", "-kernel"])
        .arg(image())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start qemu-system-riscv32");
    let uart = loop {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let t0 = Instant::now();
    let seen = read_until(&uart, b"ready\r\n", Duration::from_secs(10));
    assert!(seen.ends_with(b"ready\r\n"), "no ready: {seen:?}");
    (child, uart, t0.elapsed())
}

fn read_until(mut s: &TcpStream, end: &[u8], max: Duration) -> Vec<u8> {
    let until = Instant::now() + max;
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    s.set_read_timeout(Some(Duration::from_millis(50))).ok();
    while !seen.ends_with(end) && Instant::now() < until {
        if let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
    }
    seen
}

/// One HTTP/1.1 answer of `body` to the first request on a fresh listener.
fn serve(body: Vec<u8>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = l.accept() {
            let mut req = [0u8; 4096];
            let _ = c.read(&mut req);
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
            let _ = c.write_all(head.as_bytes());
            let _ = c.write_all(&body);
            let _ = c.shutdown(std::net::Shutdown::Write);
            let _ = c.read(&mut req);
        }
    });
    port
}

/// The body from `+HTTPCGET:<n>,<data>\r\n` lines.
fn body_of(out: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut rest = out;
    while let Some(at) = rest.windows(10).position(|w| w == b"+HTTPCGET:") {
        rest = &rest[at + 10..];
        let comma = rest.iter().position(|&b| b == b',').expect("comma");
        let n: usize = std::str::from_utf8(&rest[..comma])
            .expect("digits")
            .parse()
            .expect("length");
        body.extend_from_slice(&rest[comma + 1..comma + 1 + n]);
        rest = &rest[comma + 1 + n..];
    }
    body
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn certify(device: &str) -> f64 {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atspec"));
    cmd.args(["certify", "--quiet", "--cases", "200", "--seed", "3"]);
    cmd.args(["--device", device]);
    if device.starts_with("qemu:") {
        let profile = root().join("firmware/bare/device-profile.yaml");
        cmd.arg("--device-profile").arg(profile);
    }
    let t0 = Instant::now();
    let out = cmd.output().expect("run atspec certify");
    assert!(
        out.status.success(),
        "certify {device} failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    t0.elapsed().as_secs_f64()
}

fn main() {
    if !image().is_file() {
        eprintln!(
            "no image at {}: run ci/bare-metal.sh first",
            image().display()
        );
        std::process::exit(2);
    }
    let mut boots = Vec::new();
    for _ in 0..3 {
        let (mut child, _uart, t) = boot(None);
        boots.push(t.as_secs_f64() * 1000.0);
        let _ = child.kill();
        let _ = child.wait();
    }
    let (m, lo, hi) = median(boots);
    println!("boot to ready: median {m:.1} ms ({lo:.1}–{hi:.1} ms, 3 runs)");

    let body: Vec<u8> = (0..BODY).map(|i| (i * 7 % 251) as u8).collect();
    let mut rates = Vec::new();
    for _ in 0..3 {
        let port = serve(body.clone());
        let (mut child, uart, _) = boot(Some(port));
        let mut w = &uart;
        let line = format!("AT+HTTPCGET=\"http://10.0.2.100:{port}/big\",0,10240\r\n");
        let t0 = Instant::now();
        w.write_all(line.as_bytes()).expect("write");
        let out = read_until(&uart, b"\r\nOK\r\n", Duration::from_secs(120));
        let secs = t0.elapsed().as_secs_f64();
        let got = body_of(&out);
        assert_eq!(got.len(), BODY, "body length");
        assert!(
            got == body,
            "the reassembled body differs from the server's"
        );
        rates.push(BODY as f64 / secs);
        println!(
            "  1 MiB HTTPCGET: {} UART bytes in {secs:.2} s, body {:.0} KiB/s",
            out.len(),
            BODY as f64 / secs / 1024.0
        );
        let _ = child.kill();
        let _ = child.wait();
    }
    let (m, lo, hi) = median(rates);
    println!(
        "1 MiB HTTPCGET through the emulated UART: median {:.0} KiB/s ({:.0}–{:.0}, 3 runs)",
        m / 1024.0,
        lo / 1024.0,
        hi / 1024.0
    );

    let image = format!("qemu:{}", image().display());
    let qemu = certify(&image);
    let board = certify("virtual");
    println!(
        "certify (every clause + 200 fuzzed sequences): image in QEMU {qemu:.1} s, virtual board {board:.1} s (one run each)"
    );
}
