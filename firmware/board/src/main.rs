//! `atspec-board`: the virtual board. It runs the sans-IO firmware engine behind a
//! pseudo-terminal (real serial semantics) or a TCP listener and does the engine's networking
//! with real sockets. Logs go to stderr, never to the AT channel.
//!
//! ```text
//! atspec-board --pty             # prints `PTY /dev/pts/N` as its first stdout line
//! atspec-board --tcp 127.0.0.1:5555
//! ```
//!
//! HTTPS uses rustls with the certificates of `--pki DIR` (see the `tls` module for the
//! layout and how AT+HTTPCFG's modes map to verification).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use atspec_firmware::{Action, Config, Engine};
use clap::Parser;

mod link;
mod pace;
mod tls;

use link::Link;
use tls::{Pki, Sock};

/// Run the atspec firmware engine as a virtual AT module.
#[derive(Debug, Parser)]
#[command(name = "atspec-board", version, about)]
struct Args {
    /// Serve the AT channel on a new pseudo-terminal (prints `PTY <path>` first).
    #[arg(long, conflicts_with = "tcp")]
    pty: bool,
    /// Serve the AT channel to one TCP client at a time on this address.
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
    /// Pace UART output at this many baud (8N1: 10 bits per byte); 0 is unpaced.
    #[arg(long, default_value_t = 0)]
    baud: u32,
    /// Directory with `ca.N.pem`, `client.N.crt.pem`, `client.N.key.pem` for AT+HTTPCFG.
    #[arg(long, value_name = "DIR")]
    pki: Option<std::path::PathBuf>,
}

/// Request and response-head buffers large enough for 8192-byte URLs with `tx size` 10240.
type Board = Engine<10240, 10240>;

fn main() -> ExitCode {
    let args = Args::parse();
    // Logs go to stderr (never the AT channel); RUST_LOG=atspec_board=debug for more.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "atspec_board=info".into()),
        )
        .init();
    let link = if args.pty {
        match link::Pty::open() {
            Ok(p) => {
                println!("PTY {}", p.path.display());
                let _ = std::io::stdout().flush();
                Link::Pty(p)
            }
            Err(e) => {
                tracing::warn!("cannot open a pseudo-terminal: {e}");
                return ExitCode::from(2);
            }
        }
    } else if let Some(addr) = &args.tcp {
        match TcpListener::bind(addr) {
            Ok(l) => {
                tracing::info!(
                    "listening on {}",
                    l.local_addr().map(|a| a.to_string()).unwrap_or_default()
                );
                Link::Tcp {
                    listener: l,
                    client: None,
                }
            }
            Err(e) => {
                tracing::warn!("cannot listen on {addr}: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        tracing::warn!("choose --pty or --tcp ADDR");
        return ExitCode::from(2);
    };
    run(link, args.baud, Pki::new(args.pki));
    ExitCode::SUCCESS
}

fn run(mut link: Link, baud: u32, pki: Pki) {
    let mut engine: Box<Board> = Box::new(Engine::with_buffers(Config { pki: pki.counts() }));
    engine.boot();
    let start = Instant::now();
    let mut pacer = pace::Pacer::new(baud);
    let mut uart_in: Vec<u8> = Vec::new();
    let mut net_in: Vec<u8> = Vec::new();
    let mut sock: Option<Sock> = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let mut busy = false;
        // UART → engine (what the engine does not take yet is offered again).
        if uart_in.is_empty() {
            match link.read(&mut buf) {
                Ok(n) if n > 0 => uart_in.extend_from_slice(&buf[..n]),
                Ok(_) => {}
                Err(e) => tracing::warn!("uart read: {e}"),
            }
        }
        if !uart_in.is_empty() {
            let n = engine.handle_uart(&uart_in);
            uart_in.drain(..n);
            busy |= n > 0;
        }
        // Network actions.
        while let Some(action) = engine.poll_action() {
            busy = true;
            match action {
                Action::Connect { host, port, tls } => {
                    let host = String::from_utf8_lossy(host).into_owned();
                    tracing::debug!(%host, port, tls = tls.is_some(), "connect");
                    let opened = connect(&host, port)
                        .map_err(|e| e.to_string())
                        .and_then(|tcp| match tls {
                            None => Ok(Sock::Plain(tcp)),
                            Some(t) => pki.config(&t).and_then(|cfg| Sock::tls(tcp, &host, cfg)),
                        });
                    match opened {
                        Ok(s) => {
                            sock = Some(s);
                            net_in.clear();
                            engine.handle_connected();
                        }
                        Err(e) => {
                            tracing::warn!("connect {host}:{port}: {e}");
                            engine.handle_net_error();
                        }
                    }
                }
                Action::Close => {
                    sock = None;
                    net_in.clear();
                }
            }
        }
        // Engine → network.
        if let Some(s) = sock.as_mut() {
            let n = engine.poll_net_transmit(&mut buf);
            if n > 0 {
                busy = true;
                if let Err(e) = s.write_all(&buf[..n]) {
                    tracing::warn!("send: {e}");
                    sock = None;
                    engine.handle_net_error();
                }
            }
        }
        // Network → engine.
        if net_in.is_empty()
            && let Some(s) = sock.as_mut()
        {
            match s.read(&mut buf) {
                Ok(0) => {
                    sock = None;
                    engine.handle_closed();
                }
                Ok(n) => net_in.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => {
                    tracing::warn!("receive: {e}");
                    sock = None;
                    engine.handle_net_error();
                }
            }
        }
        if !net_in.is_empty() {
            let n = engine.handle_received(&net_in);
            net_in.drain(..n);
            busy |= n > 0;
        }
        engine.handle_time(start.elapsed().as_millis() as u64);
        // Engine → UART, paced like a real line when asked.
        let room = pacer.room().min(buf.len());
        let n = engine.poll_transmit(&mut buf[..room]);
        if n > 0 {
            busy = true;
            if let Err(e) = link.write_all(&buf[..n]) {
                tracing::warn!("uart write: {e}");
            }
            pacer.sent(n);
        }
        if !busy {
            std::thread::sleep(Duration::from_micros(500));
        }
    }
}

/// Connects with the engine's default network timeout; reads then poll every millisecond.
fn connect(host: &str, port: u16) -> std::io::Result<TcpStream> {
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::new(ErrorKind::NotFound, "no address"))?;
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_millis(1)))?;
    s.set_nodelay(true)?;
    Ok(s)
}
