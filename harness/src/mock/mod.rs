//! The mock network peer: wiremock for ordinary HTTP, the raw scripted server for everything
//! wiremock cannot do, and TLS fronts. Every request is recorded for the oracle to check. The
//! gate decides which requests are the device's (the run's random path prefix); wiremock sits
//! behind a front that enforces it and the caps, because wiremock itself buffers anything.

pub mod front;
pub mod gate;
pub mod raw;
pub mod tls;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::time::Duration;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::world::scenario::Scenario;
use crate::world::{HttpRequest, Server, TlsFront, World};
use gate::{Gate, Traffic};
use raw::RawServer;
use tls::RunPki;

/// How the TLS fronts get their certificates.
#[derive(Debug, Clone)]
pub enum TlsSetup {
    /// Generate a per-run PKI (the virtual board receives it with `--pki`).
    Generated,
    /// The user's certificate and key; trust checks that need other certificates are skipped.
    UserSupplied {
        /// PEM certificate.
        cert: PathBuf,
        /// PEM key.
        key: PathBuf,
    },
    /// A provisioned PKI (`atspec pki init DIR`): every front is minted from the CA the
    /// device trusts, so no trust check is skipped.
    Provisioned(PathBuf),
    /// No TLS: TLS checks are skipped.
    None,
}

/// Where the mock peer listens and what the device is told.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// Bind address (`--mock-bind`); port 0 picks free ports, another port is wiremock's and
    /// the next ones the raw server's and TLS fronts'.
    pub bind: SocketAddr,
    /// The address the device is told (`--mock-host`); defaults to the bind address.
    pub host: String,
    /// Certificates.
    pub tls: TlsSetup,
    /// Also serve ports 80 (raw) and 443 (good TLS front) for AT+HTTPCLIENT's host/path mode,
    /// when they can be bound.
    pub well_known: bool,
}

/// The running peer.
pub struct MockPeer {
    rt: tokio::runtime::Runtime,
    wiremock: MockServer,
    /// The port the device is told for wiremock: the front's.
    wiremock_port: u16,
    seen_by_wiremock: usize,
    /// The gate's arrival count at the last take: more since means a new request.
    arrivals_taken: usize,
    gate: Gate,
    open_bind: bool,
    raw: RawServer,
    fronts: Vec<(TlsFront, u16)>,
    well_known: Vec<(u16, Server)>,
    /// The address the device is told.
    pub host: String,
    /// The run's PKI (when generated or supplied).
    pub pki: Option<RunPki>,
    scenario: Scenario,
}

fn listener(bind: SocketAddr, offset: u16) -> std::io::Result<TcpListener> {
    let mut addr = bind;
    if bind.port() != 0 {
        addr.set_port(bind.port() + offset);
    }
    TcpListener::bind(addr)
}

impl MockPeer {
    /// Starts every endpoint.
    pub fn start(opts: &MockOptions) -> Result<MockPeer, String> {
        let e =
            |what: &str, err: std::io::Error| format!("mock peer: {what} on {}: {err}", opts.bind);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|err| e("runtime", err))?;
        let gate = Gate::new();
        // wiremock listens privately, on loopback; the device reaches it through the front.
        let wl = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .map_err(|err| e("wiremock", err))?;
        let wiremock = rt.block_on(MockServer::builder().listener(wl).start());
        let fl = listener(opts.bind, 0).map_err(|err| e("wiremock front", err))?;
        let wiremock_port = fl
            .local_addr()
            .map_err(|err| e("wiremock front", err))?
            .port();
        front::start(fl, *wiremock.address(), gate.clone())
            .map_err(|err| e("wiremock front", err))?;
        let raw = RawServer::start(
            listener(opts.bind, 1).map_err(|err| e("raw server", err))?,
            gate.clone(),
        )
        .map_err(|err| e("raw server", err))?;
        let pki = match &opts.tls {
            TlsSetup::Generated => Some(RunPki::generate(&opts.host)?),
            TlsSetup::UserSupplied { cert, key } => Some(RunPki::user_supplied(cert, key)?),
            TlsSetup::Provisioned(dir) => Some(RunPki::from_dir(dir, &opts.host)?),
            TlsSetup::None => None,
        };
        // The fronts reach the raw server where it listens: the bind address (loopback when
        // the peer binds every address), so a run bound to 127.0.0.N is self-contained.
        let backend = std::net::SocketAddr::new(
            if opts.bind.ip().is_unspecified() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                opts.bind.ip()
            },
            raw.port,
        );
        let mut fronts = Vec::new();
        if let Some(p) = &pki {
            for (i, f) in p.fronts().into_iter().enumerate() {
                let l = listener(opts.bind, 2 + i as u16).map_err(|err| e("TLS front", err))?;
                let port = l.local_addr().map_err(|err| e("TLS front", err))?.port();
                p.serve(f, l, backend, &gate)?;
                fronts.push((f, port));
            }
        }
        let mut well_known = Vec::new();
        if opts.well_known {
            let ip = opts.bind.ip();
            if let Ok(l) = TcpListener::bind((ip, 80))
                && raw.also_serve(l).is_ok()
            {
                well_known.push((80, Server::Raw));
            }
            if let Some(p) = &pki
                && let Ok(l) = TcpListener::bind((ip, 443))
                && p.serve(TlsFront::Good, l, backend, &gate).is_ok()
            {
                well_known.push((443, Server::Tls(TlsFront::Good)));
            }
        }
        let peer = MockPeer {
            well_known,
            rt,
            wiremock,
            wiremock_port,
            seen_by_wiremock: 0,
            arrivals_taken: 0,
            gate,
            open_bind: opts.bind.ip().is_unspecified(),
            raw,
            fronts,
            host: opts.host.clone(),
            pki,
            scenario: Scenario::default(),
        };
        peer.mount(&Scenario::default());
        Ok(peer)
    }

    fn mount(&self, s: &Scenario) {
        let s = s.for_wiremock();
        let template = |s: &Scenario| {
            let mut t = ResponseTemplate::new(s.status).set_body_bytes(s.body.0.clone());
            for (k, v) in &s.headers {
                t = t.insert_header(k.as_str(), v.as_str());
            }
            if s.delay_ms > 0 {
                t = t.set_delay(Duration::from_millis(s.delay_ms));
            }
            t
        };
        self.rt.block_on(async {
            if let Some(l) = &s.landing {
                // Before the catch-all (a lower number wins; wiremock's default is 5).
                Mock::given(wiremock::matchers::path(l.path.as_str()))
                    .respond_with(template(&l.answer))
                    .with_priority(1)
                    .mount(&self.wiremock)
                    .await;
            }
            Mock::given(any())
                .respond_with(template(&s))
                .mount(&self.wiremock)
                .await;
        });
    }

    /// Plays `s` from now on, on every endpoint.
    pub fn set(&mut self, s: &Scenario) {
        self.rt.block_on(self.wiremock.reset());
        self.seen_by_wiremock = 0;
        self.mount(s);
        self.raw.set(s);
        self.scenario = s.clone();
    }

    /// Requests recorded since the last call, wiremock's first.
    pub fn take_requests(&mut self) -> Vec<HttpRequest> {
        self.arrivals_taken = self.gate.arrivals();
        let all = self
            .rt
            .block_on(self.wiremock.received_requests())
            .unwrap_or_default();
        let mut out: Vec<HttpRequest> = all[self.seen_by_wiremock.min(all.len())..]
            .iter()
            .map(|r| {
                let mut target = r.url.path().as_bytes().to_vec();
                if let Some(q) = r.url.query() {
                    target.push(b'?');
                    target.extend_from_slice(q.as_bytes());
                }
                HttpRequest {
                    server: Server::Wiremock,
                    method: r.method.to_string(),
                    target: target.into(),
                    headers: r
                        .headers
                        .iter()
                        .map(|(k, v)| (k.as_str().as_bytes().into(), v.as_bytes().into()))
                        .collect(),
                    body: r.body.clone().into(),
                }
            })
            .collect();
        self.seen_by_wiremock = all.len();
        out.extend(self.raw.take());
        out
    }

    /// Whether a request arrived since the last [`MockPeer::take_requests`] (nothing taken).
    pub fn has_new_requests(&self) -> bool {
        // A counter the endpoints bump as a head arrives: no copy of wiremock's recorded
        // requests (bodies included) on every poll of a busy step.
        self.gate.arrivals() > self.arrivals_taken
    }

    /// The oracle's view of the network.
    pub fn world(&self) -> World {
        let mut servers = vec![
            (self.wiremock_port, Server::Wiremock),
            (self.raw.port, Server::Raw),
        ];
        servers.extend(self.fronts.iter().map(|&(f, p)| (p, Server::Tls(f))));
        servers.extend(self.well_known.iter().copied());
        World {
            scenario: self.scenario.clone(),
            host: self.host.clone(),
            servers,
        }
    }

    /// Base URL of an endpoint (`http://host:port`), if it runs.
    pub fn url(&self, server: Server) -> Option<String> {
        let port = match server {
            Server::Wiremock => self.wiremock_port,
            Server::Raw => self.raw.port,
            Server::Tls(f) => self.fronts.iter().find(|(x, _)| *x == f)?.1,
        };
        let scheme = if matches!(server, Server::Tls(_)) {
            "https"
        } else {
            "http"
        };
        Some(format!("{scheme}://{}:{port}", self.host))
    }

    /// The run's path prefix: every URL the device is given lies under it, and a request
    /// outside it is foreign traffic (see [`gate`]).
    pub fn prefix(&self) -> String {
        self.gate.prefix()
    }

    /// Takes another prefix (replay uses the recorded one; empty admits every request).
    pub fn set_prefix(&self, p: &str) {
        self.gate.set_prefix(p);
    }

    /// Framing faults of the device's requests since the last call: what neither server's
    /// record shows (the HTTP version, bare LFs, colon-less lines, absolute-form targets).
    pub fn take_faults(&self) -> Vec<String> {
        self.gate.take_faults()
    }

    /// What reached the peer besides the device's requests, and from where.
    pub fn traffic(&self) -> Traffic {
        Traffic {
            open_bind: self.open_bind,
            ..self.gate.traffic()
        }
    }

    /// Whether ports 80 and 443 are served (AT+HTTPCLIENT host/path mode).
    pub fn has_well_known_ports(&self) -> bool {
        self.well_known.len() == 2
    }

    /// The TLS fronts that run.
    pub fn fronts(&self) -> Vec<TlsFront> {
        self.fronts.iter().map(|(f, _)| *f).collect()
    }
}
