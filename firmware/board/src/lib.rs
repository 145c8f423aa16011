//! `atspec-board` as a library: the virtual board's serving loop, shared by the
//! `atspec-board` binary and the harness's built-in `atspec board` (so `atspec certify` needs
//! no second binary). It runs the sans-IO firmware engine behind a pseudo-terminal (real
//! serial semantics) or a TCP listener and does the engine's networking with real sockets.
//! Logs go to stderr, never to the AT channel.
//!
//! HTTPS uses rustls with the certificates of `--pki DIR` (see the `tls` module for the
//! layout and how AT+HTTPCFG's modes map to verification).
//!
//! SIGUSR1 is the board's reset line: it does what pulling EN low does to a module — the
//! engine starts afresh (whatever it was doing, a data prompt included), the connection is
//! dropped, and `ready` is printed. `atspec certify --reset 'cmd:kill -USR1 PID'` uses it.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use atspec_firmware::{Action, Config, Engine};

pub mod announce;
mod link;
mod pace;
mod tls;

use link::Link;
use tls::{Pki, Sock};

#[cfg(feature = "mutants")]
pub use atspec_firmware::Mutant;
#[cfg(feature = "variants")]
pub use atspec_firmware::Variant;

/// Where the board serves its AT channel.
#[derive(Debug, Clone)]
pub enum Serve {
    /// A new pseudo-terminal; `PTY <path>` is printed as the first stdout line.
    Pty,
    /// One TCP client at a time on this address.
    Tcp(String),
}

/// How to run the board.
#[derive(Debug, Clone)]
pub struct Options {
    /// The AT channel.
    pub serve: Serve,
    /// Pace UART output at this many baud (8N1); 0 is unpaced.
    pub baud: u32,
    /// Directory with `ca.N.pem`, `client.N.crt.pem`, `client.N.key.pem`.
    pub pki: Option<PathBuf>,
    /// A deliberate deviation from the spec (test builds with the `mutants` feature only).
    pub mutant: Option<String>,
    /// A behaviour the spec permits other than the default (builds with `variants` only).
    pub variant: Option<String>,
    /// Emulate this ESP-AT version (`MAJOR.MINOR`, one of the spec's version profiles).
    pub esp_at_version: Option<String>,
}

/// The board's command line, shared by `atspec-board` and `atspec board`.
#[derive(Debug, clap::Args)]
pub struct BoardArgs {
    /// Serve the AT channel on a new pseudo-terminal (prints `PTY <path>` first).
    #[arg(long, conflicts_with = "tcp")]
    pub pty: bool,
    /// Serve the AT channel to one TCP client at a time on this address.
    #[arg(long, value_name = "ADDR")]
    pub tcp: Option<String>,
    /// Pace UART output at this many baud (8N1: 10 bits per byte); 0 is unpaced.
    #[arg(long, default_value_t = 0)]
    pub baud: u32,
    /// Directory with `ca.N.pem`, `client.N.crt.pem`, `client.N.key.pem` for AT+HTTPCFG.
    #[arg(long, value_name = "DIR")]
    pub pki: Option<PathBuf>,
    /// Run a deliberately non-conformant variant (builds with the `mutants` feature only).
    #[arg(long, value_name = "NAME")]
    pub mutant: Option<String>,
    /// Choose a behaviour the spec permits other than the default (builds with the
    /// `variants` feature only).
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Behave like ESP-AT version X.Y (a version profile of the spec: 2.2, 2.3, 3.0, 3.1,
    /// 4.1): report it in AT+GMR, answer the commands it lacks as unknown, and apply the
    /// behaviours it changed.
    #[arg(long, value_name = "X.Y")]
    pub esp_at_version: Option<String>,
}

/// The spec's profile for ESP-AT version `v` (`MAJOR.MINOR`, exactly one of the versions
/// the spec lists), or an error naming them.
pub fn version_profile(
    v: &str,
) -> Result<&'static atspec_rt::SpecProfile<atspec_firmware::device::Name>, String> {
    use atspec_firmware::device::PROFILES;
    let known: Vec<String> = PROFILES
        .iter()
        .filter_map(|p| p.esp_at_version)
        .map(|(a, b)| format!("{a}.{b}"))
        .collect();
    PROFILES
        .iter()
        .find(|p| {
            p.esp_at_version
                .is_some_and(|(a, b)| format!("{a}.{b}") == v)
        })
        .ok_or_else(|| {
            format!(
                "no profile of ESP-AT {v} in the spec; versions: {}",
                known.join(", ")
            )
        })
}

/// Parses nothing more: runs the board the arguments describe (logging to stderr).
pub fn run(args: BoardArgs) -> ExitCode {
    init_logging();
    let on = match (args.pty, args.tcp) {
        (true, _) => Serve::Pty,
        (false, Some(addr)) => Serve::Tcp(addr),
        (false, None) => {
            eprintln!("choose --pty or --tcp ADDR");
            return ExitCode::from(2);
        }
    };
    serve(Options {
        serve: on,
        baud: args.baud,
        pki: args.pki,
        mutant: args.mutant,
        variant: args.variant,
        esp_at_version: args.esp_at_version,
    })
}

/// The board-level mutant: every TLS connection fails as if the module had no TLS, while
/// its device profile still declares it (`tls: true`). A declared class must be exercised:
/// the HTTPS clauses fail.
pub const NO_HTTPS_MUTANT: &str = "no-https";

/// Names of the mutants this build knows (empty without the `mutants` feature).
pub fn mutant_names() -> Vec<&'static str> {
    #[cfg(feature = "mutants")]
    {
        let mut m: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        m.push(NO_HTTPS_MUTANT);
        m
    }
    #[cfg(not(feature = "mutants"))]
    {
        Vec::new()
    }
}

/// The board-level variant: every UART write reaches the host 100 ms late, as through a
/// remote farm's RFC 2217 or LabGrid link. The spec says nothing about latency, so a device
/// behind such a link must pass as it would locally.
pub const LATENCY_VARIANT: &str = "latency-100ms";

/// Names of the legitimate variants this build knows (empty without the `variants` feature).
pub fn variant_names() -> Vec<&'static str> {
    #[cfg(feature = "variants")]
    {
        let mut v: Vec<&str> = Variant::ALL.iter().map(|v| v.name()).collect();
        v.push(LATENCY_VARIANT);
        v
    }
    #[cfg(not(feature = "variants"))]
    {
        Vec::new()
    }
}

/// The longest AT+HTTPCHEAD entry the board's empty store takes (its device profile).
pub const HEADER_STORE: usize = atspec_firmware::store::HEADER_ARENA;
/// The longest AT+HTTPCPOST/PUT length the board takes (its device profile).
pub const SEND_LENGTH: u32 = atspec_firmware::net::SEND_LENGTH_MAX;

/// Request and response-head buffers large enough for 8192-byte URLs with `tx size` 10240.
type Board = Engine<10240, 10240>;

/// Runs the board until the process is killed; returns only on a setup error (exit 2).
pub fn serve(mut opts: Options) -> ExitCode {
    // The latency variant belongs to the link, not the engine.
    let delay = if cfg!(feature = "variants") && opts.variant.as_deref() == Some(LATENCY_VARIANT) {
        tracing::info!("running variant {LATENCY_VARIANT}: UART output is delayed 100 ms");
        opts.variant = None;
        Duration::from_millis(100)
    } else {
        Duration::ZERO
    };
    // So does the no-https mutant: TLS is the board's, not the engine's.
    let refuse_tls = cfg!(feature = "mutants") && opts.mutant.as_deref() == Some(NO_HTTPS_MUTANT);
    if refuse_tls {
        tracing::warn!("running mutant {NO_HTTPS_MUTANT}: every TLS connection fails");
        opts.mutant = None;
    }
    let mut engine: Box<Board> = Box::new(Engine::with_buffers(Config {
        pki: Pki::new(opts.pki.clone()).counts(),
    }));
    if let Some(name) = &opts.mutant {
        #[cfg(feature = "mutants")]
        match Mutant::from_name(name) {
            Some(m) => {
                tracing::warn!("running mutant {name}: this board deliberately breaks the spec");
                engine.set_mutant(m);
            }
            None => {
                tracing::error!(
                    "unknown mutant {name}; known: {}",
                    mutant_names().join(", ")
                );
                return ExitCode::from(2);
            }
        }
        #[cfg(not(feature = "mutants"))]
        {
            tracing::error!("mutant {name} asked for, but this build has no `mutants` feature");
            return ExitCode::from(2);
        }
    }
    if let Some(name) = &opts.variant {
        #[cfg(feature = "variants")]
        match Variant::from_name(name) {
            Some(v) => {
                tracing::info!("running variant {name}: a behaviour the spec permits");
                engine.set_variant(v);
            }
            None => {
                tracing::error!(
                    "unknown variant {name}; known: {}",
                    variant_names().join(", ")
                );
                return ExitCode::from(2);
            }
        }
        #[cfg(not(feature = "variants"))]
        {
            tracing::error!("variant {name} asked for, but this build has no `variants` feature");
            return ExitCode::from(2);
        }
    }
    if let Some(v) = &opts.esp_at_version {
        match version_profile(v) {
            Ok(p) => {
                tracing::info!("behaving like ESP-AT {v} (profile {})", p.id);
                engine.set_profile(p);
            }
            Err(e) => {
                tracing::error!("{e}");
                eprintln!("atspec board: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let link = match &opts.serve {
        Serve::Pty => match link::Pty::open() {
            Ok(p) => {
                let _ = announce::announce_pty(&mut std::io::stdout(), &p.path);
                Link::Pty(p)
            }
            Err(e) => {
                tracing::error!("cannot open a pseudo-terminal: {e}");
                return ExitCode::from(2);
            }
        },
        Serve::Tcp(addr) => match TcpListener::bind(addr) {
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
                tracing::error!("cannot listen on {addr}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let reset_line = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGUSR1, reset_line.clone()) {
        tracing::warn!("no reset line (SIGUSR1): {e}");
    }
    // Used only by the builds that have mutants or variants.
    #[allow(unused_variables)]
    let (counts, mutant, variant) = (
        Pki::new(opts.pki.clone()).counts(),
        engine_mutant(&opts),
        engine_variant(&opts),
    );
    // The emulated version is part of the module, like its mutant or variant: a hardware
    // reset keeps it (validated above).
    let version = opts
        .esp_at_version
        .as_deref()
        .and_then(|v| version_profile(v).ok());
    let remake = move || {
        let mut e: Box<Board> = Box::new(Engine::with_buffers(Config { pki: counts }));
        if let Some(p) = version {
            e.set_profile(p);
        }
        #[cfg(feature = "mutants")]
        if let Some(m) = mutant {
            e.set_mutant(m);
        }
        #[cfg(feature = "variants")]
        if let Some(v) = variant {
            e.set_variant(v);
        }
        e
    };
    serve_loop(
        link,
        engine,
        Conduct {
            baud: opts.baud,
            delay,
            refuse_tls,
        },
        Pki::new(opts.pki),
        &reset_line,
        &remake,
    );
    ExitCode::SUCCESS
}

#[cfg(feature = "mutants")]
fn engine_mutant(opts: &Options) -> Option<Mutant> {
    opts.mutant.as_deref().and_then(Mutant::from_name)
}
#[cfg(not(feature = "mutants"))]
fn engine_mutant(_: &Options) -> Option<()> {
    None
}
#[cfg(feature = "variants")]
fn engine_variant(opts: &Options) -> Option<Variant> {
    opts.variant.as_deref().and_then(Variant::from_name)
}
#[cfg(not(feature = "variants"))]
fn engine_variant(_: &Options) -> Option<()> {
    None
}

/// Installs the stderr log subscriber (`RUST_LOG=atspec_board=debug` for more).
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "atspec_board=info".into()),
        )
        .try_init();
}

/// How the board carries bytes besides the engine: its UART's pace, the latency variant's
/// delay, the no-https mutant's refusal.
struct Conduct {
    baud: u32,
    delay: Duration,
    refuse_tls: bool,
}

fn serve_loop(
    mut link: Link,
    mut engine: Box<Board>,
    conduct: Conduct,
    pki: Pki,
    reset_line: &std::sync::atomic::AtomicBool,
    remake: &dyn Fn() -> Box<Board>,
) {
    engine.boot();
    let start = Instant::now();
    let mut pacer = pace::Pacer::new(conduct.baud);
    let mut uart_in: Vec<u8> = Vec::new();
    let mut net_in: Vec<u8> = Vec::new();
    let mut sock: Option<Sock> = None;
    let mut buf = vec![0u8; 16 * 1024];
    // UART output on its way (the latency variant): what was written, and when it arrives.
    let mut late: std::collections::VecDeque<(Instant, Vec<u8>)> = Default::default();
    loop {
        let mut busy = false;
        if reset_line.swap(false, std::sync::atomic::Ordering::SeqCst) {
            // A hardware reset: everything the module held is gone.
            tracing::info!("reset line pulled: restarting");
            engine = remake();
            engine.boot();
            uart_in.clear();
            net_in.clear();
            sock = None;
        }
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
                            Some(_) if conduct.refuse_tls => {
                                Err("TLS refused (mutant no-https)".to_string())
                            }
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
            if conduct.delay.is_zero() {
                if let Err(e) = link.write_all(&buf[..n]) {
                    tracing::warn!("uart write: {e}");
                }
            } else {
                late.push_back((Instant::now() + conduct.delay, buf[..n].to_vec()));
            }
            pacer.sent(n);
        }
        while late.front().is_some_and(|(due, _)| *due <= Instant::now()) {
            let (_, bytes) = late.pop_front().expect("a due write");
            if let Err(e) = link.write_all(&bytes) {
                tracing::warn!("uart write: {e}");
            }
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

/// The ESP-AT versions the board can emulate (`--esp-at-version`), from the spec's profiles.
pub fn esp_at_versions() -> Vec<String> {
    atspec_firmware::device::PROFILES
        .iter()
        .filter_map(|p| p.esp_at_version)
        .map(|(a, b)| format!("{a}.{b}"))
        .collect()
}
