//! `atspec-board`: the virtual board. It runs the sans-IO firmware engine behind a
//! pseudo-terminal (real serial semantics) or a TCP listener and does the engine's networking
//! with real sockets. Logs go to stderr, never to the AT channel.
//!
//! ```text
//! atspec-board --pty             # prints `PTY /dev/pts/N` as its first stdout line
//! atspec-board --tcp 127.0.0.1:5555
//! ```
//!
//! Status: plain HTTP. HTTPS (rustls with `--pki DIR`) is not built yet; a request that needs
//! TLS takes the network-failure path.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use atspec_firmware::{Action, Config, Engine};
use clap::Parser;

mod link;
mod pace;

use link::Link;

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
}

/// Request and response-head buffers large enough for 8192-byte URLs with `tx size` 10240.
type Board = Engine<10240, 10240>;

fn main() -> ExitCode {
    let args = Args::parse();
    let link = if args.pty {
        match link::Pty::open() {
            Ok(p) => {
                println!("PTY {}", p.path.display());
                let _ = std::io::stdout().flush();
                Link::Pty(p)
            }
            Err(e) => {
                eprintln!("atspec-board: cannot open a pseudo-terminal: {e}");
                return ExitCode::from(2);
            }
        }
    } else if let Some(addr) = &args.tcp {
        match TcpListener::bind(addr) {
            Ok(l) => {
                eprintln!(
                    "atspec-board: listening on {}",
                    l.local_addr().map(|a| a.to_string()).unwrap_or_default()
                );
                Link::Tcp {
                    listener: l,
                    client: None,
                }
            }
            Err(e) => {
                eprintln!("atspec-board: cannot listen on {addr}: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        eprintln!("atspec-board: choose --pty or --tcp ADDR");
        return ExitCode::from(2);
    };
    run(link, args.baud);
    ExitCode::SUCCESS
}

fn run(mut link: Link, baud: u32) {
    let mut engine: Box<Board> = Box::new(Engine::with_buffers(Config::default()));
    engine.boot();
    let start = Instant::now();
    let mut pacer = pace::Pacer::new(baud);
    let mut uart_in: Vec<u8> = Vec::new();
    let mut net_in: Vec<u8> = Vec::new();
    let mut sock: Option<TcpStream> = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let mut busy = false;
        // UART → engine (what the engine does not take yet is offered again).
        if uart_in.is_empty() {
            match link.read(&mut buf) {
                Ok(n) if n > 0 => uart_in.extend_from_slice(&buf[..n]),
                Ok(_) => {}
                Err(e) => eprintln!("atspec-board: uart read: {e}"),
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
                    if tls.is_some() {
                        eprintln!(
                            "atspec-board: https://{host}:{port}: TLS is not available in this build"
                        );
                        engine.handle_net_error();
                        continue;
                    }
                    match connect(&host, port) {
                        Ok(s) => {
                            sock = Some(s);
                            net_in.clear();
                            engine.handle_connected();
                        }
                        Err(e) => {
                            eprintln!("atspec-board: connect {host}:{port}: {e}");
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
                    eprintln!("atspec-board: send: {e}");
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
                    eprintln!("atspec-board: receive: {e}");
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
                eprintln!("atspec-board: uart write: {e}");
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
