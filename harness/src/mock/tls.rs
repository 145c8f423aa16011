//! The TLS front: per-run certificates (rcgen) and rustls listeners that decrypt and forward
//! to the raw server. One listener per certificate variant, so each AT+HTTPCFG mode can be
//! checked against a good, an untrusted, an expired and a wrongly named certificate, and
//! against a server that demands a client certificate.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, pem::PemObject};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

use crate::oracle::TlsFront;

/// A certificate and its key.
pub struct Leaf {
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl Clone for Leaf {
    fn clone(&self) -> Self {
        Leaf {
            cert: self.cert.clone(),
            key: self.key.clone_key(),
        }
    }
}

/// The run's certificates.
pub struct RunPki {
    ca: CertifiedIssuer<'static, KeyPair>,
    leaves: Vec<(TlsFront, Leaf)>,
    client: (String, String),
}

fn ca(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(p, KeyPair::generate()?)
}

fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
    expired: bool,
) -> Result<(Leaf, String, String), rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    if expired {
        p.not_before = rcgen::date_time_ymd(2019, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    let cert = p.signed_by(&key, issuer)?;
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((
        Leaf {
            cert: cert.der().clone(),
            key: der,
        },
        cert.pem(),
        key.serialize_pem(),
    ))
}

impl RunPki {
    /// Fresh certificates for one run; `host` is the name the good certificate carries.
    pub fn generate(host: &str) -> Result<RunPki, String> {
        let e = |e: rcgen::Error| format!("certificate generation: {e}");
        let run = ca("atspec run CA").map_err(e)?;
        let other = ca("atspec untrusted CA").map_err(e)?;
        let names = [host, "localhost"];
        let good = leaf(&run, &names, false).map_err(e)?.0;
        let leaves = vec![
            (TlsFront::Good, good.clone()),
            (
                TlsFront::Untrusted,
                leaf(&other, &names, false).map_err(e)?.0,
            ),
            (TlsFront::Expired, leaf(&run, &names, true).map_err(e)?.0),
            (
                TlsFront::WrongName,
                leaf(&run, &["wrong.example"], false).map_err(e)?.0,
            ),
            (TlsFront::ClientAuth, good),
        ];
        let (_, cert, key) = leaf(&run, &["atspec-device"], false).map_err(e)?;
        Ok(RunPki {
            ca: run,
            leaves,
            client: (cert, key),
        })
    }

    /// Only the good front, with a certificate the user supplies (for real devices that
    /// trust it).
    pub fn user_supplied(cert: &Path, key: &Path) -> Result<RunPki, String> {
        let c =
            CertificateDer::from_pem_file(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
        let k = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
        let run = ca("atspec run CA").map_err(|e| e.to_string())?;
        Ok(RunPki {
            ca: run,
            leaves: vec![(TlsFront::Good, Leaf { cert: c, key: k })],
            client: (String::new(), String::new()),
        })
    }

    /// Writes the board's PKI directory: `ca.0.pem`, `client.0.crt.pem`, `client.0.key.pem`.
    pub fn write_board_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("ca.0.pem"), self.ca.pem())?;
        std::fs::write(dir.join("client.0.crt.pem"), &self.client.0)?;
        std::fs::write(dir.join("client.0.key.pem"), &self.client.1)
    }

    /// The fronts this PKI can serve.
    pub fn fronts(&self) -> Vec<TlsFront> {
        self.leaves.iter().map(|(f, _)| *f).collect()
    }

    fn config(&self, front: TlsFront) -> Result<Arc<ServerConfig>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let builder = if front == TlsFront::ClientAuth {
            let mut roots = RootCertStore::empty();
            roots
                .add(self.ca.der().clone())
                .map_err(|e| e.to_string())?;
            builder.with_client_cert_verifier(
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        } else {
            builder.with_no_client_auth()
        };
        let leaf = &self
            .leaves
            .iter()
            .find(|(f, _)| *f == front)
            .ok_or("no such front")?
            .1;
        builder
            .with_single_cert(vec![leaf.cert.clone()], leaf.key.clone_key())
            .map(Arc::new)
            .map_err(|e| e.to_string())
    }

    /// Starts the front for `front` on `listener`, forwarding to `backend_port` on loopback.
    pub fn serve(
        &self,
        front: TlsFront,
        listener: TcpListener,
        backend_port: u16,
    ) -> Result<(), String> {
        let config = self.config(front)?;
        std::thread::Builder::new()
            .name("atspec-tls-front".into())
            .spawn(move || {
                for conn in listener.incoming().flatten() {
                    let config = config.clone();
                    let _ = std::thread::Builder::new()
                        .name("atspec-tls-conn".into())
                        .spawn(move || proxy(conn, config, backend_port));
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

fn quiet(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Decrypts one connection and relays it to the backend both ways.
fn proxy(tcp: TcpStream, config: Arc<ServerConfig>, backend_port: u16) {
    let Ok(conn) = ServerConnection::new(config) else {
        return;
    };
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(2)));
    let mut tls = StreamOwned::new(conn, tcp);
    let mut backend: Option<TcpStream> = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let mut idle = true;
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                idle = false;
                if backend.is_none() {
                    let Ok(b) = TcpStream::connect(("127.0.0.1", backend_port)) else {
                        break;
                    };
                    let _ = b.set_nonblocking(true);
                    let _ = b.set_nodelay(true);
                    backend = Some(b);
                }
                let b = backend.as_mut().expect("just connected");
                let _ = b.set_nonblocking(false);
                if b.write_all(&buf[..n]).is_err() {
                    break;
                }
                let _ = b.set_nonblocking(true);
            }
            Err(e) if quiet(&e) => {}
            Err(_) => break,
        }
        if let Some(b) = backend.as_mut() {
            match b.read(&mut buf) {
                Ok(0) => {
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                    break;
                }
                Ok(n) => {
                    idle = false;
                    if tls.write_all(&buf[..n]).and_then(|_| tls.flush()).is_err() {
                        break;
                    }
                }
                Err(e) if quiet(&e) => {}
                Err(_) => {
                    // The backend reset: reset the device's connection too.
                    let _ = socket2::SockRef::from(&tls.sock).set_linger(Some(Duration::ZERO));
                    break;
                }
            }
        }
        if idle && backend.is_none() && tls.conn.is_handshaking() {
            continue;
        }
    }
}
