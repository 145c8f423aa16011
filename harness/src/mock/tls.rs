//! The TLS front: per-run certificates (rcgen) and rustls listeners that decrypt and forward
//! to the raw server. One listener per certificate variant, so each AT+HTTPCFG mode can be
//! checked against a good, an untrusted, an expired and a wrongly named certificate, and
//! against a server that demands a client certificate.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, pem::PemObject};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

use super::gate::Gate;
use crate::world::TlsFront;

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
    ca_der: CertificateDer<'static>,
    ca_pem: String,
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
    issuer: &Issuer<'_, KeyPair>,
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

/// The fronts' leaves, minted by the CA the device trusts (`issuer`), except the untrusted
/// one, which a fresh CA signs.
fn mint(issuer: &Issuer<'_, KeyPair>, host: &str) -> Result<Vec<(TlsFront, Leaf)>, rcgen::Error> {
    let other = ca("atspec untrusted CA")?;
    let names = [host, "localhost"];
    let good = leaf(issuer, &names, false)?.0;
    Ok(vec![
        (TlsFront::Good, good.clone()),
        (TlsFront::Untrusted, leaf(&other, &names, false)?.0),
        (TlsFront::Expired, leaf(issuer, &names, true)?.0),
        (
            TlsFront::WrongName,
            leaf(issuer, &["wrong.example"], false)?.0,
        ),
        (TlsFront::ClientAuth, good),
    ])
}

/// Files of a provisioned PKI (`atspec pki init`), relative to its directory.
pub const PKI_FILES: [&str; 4] = ["ca.crt", "ca.key", "client.crt", "client.key"];

impl RunPki {
    /// Fresh certificates for one run; `host` is the name the good certificate carries.
    pub fn generate(host: &str) -> Result<RunPki, String> {
        let e = |e: rcgen::Error| format!("certificate generation: {e}");
        let run = ca("atspec run CA").map_err(e)?;
        let leaves = mint(&run, host).map_err(e)?;
        let (_, cert, key) = leaf(&run, &["atspec-device"], false).map_err(e)?;
        Ok(RunPki {
            ca_der: run.der().clone(),
            ca_pem: run.pem(),
            leaves,
            client: (cert, key),
        })
    }

    /// The fronts minted from a provisioned PKI (`atspec pki init DIR`): the device trusts
    /// `ca.crt` and presents `client.crt`, so every trust check runs on a real device.
    pub fn from_dir(dir: &Path, host: &str) -> Result<RunPki, String> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name)).map_err(|e| {
                format!(
                    "{}: {e} (make one with `atspec pki init {}`)",
                    dir.join(name).display(),
                    dir.display()
                )
            })
        };
        let [ca_pem, ca_key, client_crt, client_key] = PKI_FILES.map(read);
        let (ca_pem, ca_key) = (ca_pem?, ca_key?);
        let key = KeyPair::from_pem(&ca_key)
            .map_err(|e| format!("{}: {e}", dir.join("ca.key").display()))?;
        let issuer = Issuer::from_ca_cert_pem(&ca_pem, key)
            .map_err(|e| format!("{}: {e}", dir.join("ca.crt").display()))?;
        let ca_der = CertificateDer::from_pem_slice(ca_pem.as_bytes())
            .map_err(|e| format!("{}: {e}", dir.join("ca.crt").display()))?;
        let leaves = mint(&issuer, host).map_err(|e| format!("certificate generation: {e}"))?;
        Ok(RunPki {
            ca_der,
            ca_pem,
            leaves,
            client: (client_crt?, client_key?),
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
            ca_der: run.der().clone(),
            ca_pem: run.pem(),
            leaves: vec![(TlsFront::Good, Leaf { cert: c, key: k })],
            client: (String::new(), String::new()),
        })
    }

    /// Writes the board's PKI directory: `ca.0.pem`, `client.0.crt.pem`, `client.0.key.pem`.
    /// The key is created 0600 in a fresh 0700 directory, never through a link.
    pub fn write_board_dir(&self, dir: &Path) -> std::io::Result<()> {
        use crate::files::{PRIVATE, PUBLIC, write_new};
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        write_new(&dir.join("ca.0.pem"), self.ca_pem.as_bytes(), PUBLIC, true)?;
        write_new(
            &dir.join("client.0.crt.pem"),
            self.client.0.as_bytes(),
            PUBLIC,
            true,
        )?;
        write_new(
            &dir.join("client.0.key.pem"),
            self.client.1.as_bytes(),
            PRIVATE,
            true,
        )
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
            roots.add(self.ca_der.clone()).map_err(|e| e.to_string())?;
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

    /// Starts the front for `front` on `listener`, forwarding to the raw server at `backend`
    /// (which judges whose requests they are: `gate` counts the sources and connections here,
    /// and the relay connections are not sources there).
    pub fn serve(
        &self,
        front: TlsFront,
        listener: TcpListener,
        backend: std::net::SocketAddr,
        gate: &Gate,
    ) -> Result<(), String> {
        let config = self.config(front)?;
        let gate = gate.clone();
        std::thread::Builder::new()
            .name("atspec-tls-front".into())
            .spawn(move || {
                for conn in listener.incoming().flatten() {
                    let Some(permit) = gate.enter() else { continue };
                    gate.connected(conn.peer_addr().ok());
                    let (config, gate) = (config.clone(), gate.clone());
                    let _ = std::thread::Builder::new()
                        .name("atspec-tls-conn".into())
                        .spawn(move || {
                            proxy(conn, config, backend, &gate);
                            drop(permit);
                        });
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
fn proxy(tcp: TcpStream, config: Arc<ServerConfig>, upstream: std::net::SocketAddr, gate: &Gate) {
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
                    let Ok(b) = TcpStream::connect(upstream) else {
                        break;
                    };
                    if let Ok(local) = b.local_addr() {
                        gate.relay(local);
                    }
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

/// Writes a persistent PKI into `dir` for provisioning a device (`atspec pki init`): the CA
/// the device trusts (`ca.crt`, `ca.key`), the identity it presents (`client.crt`,
/// `client.key`), the virtual board's layout of the same (`ca.0.pem`, `client.0.*.pem`) and a
/// README on loading them into ESP-AT. Existing files are kept unless `force`.
pub fn provision(dir: &Path, force: bool) -> Result<Vec<std::path::PathBuf>, String> {
    let e = |e: rcgen::Error| format!("certificate generation: {e}");
    // Every file it would write counts, a dangling link too (`exists` would follow it).
    let existing: Vec<_> = PROVISIONED
        .iter()
        .map(|f| dir.join(f))
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .collect();
    if !existing.is_empty() && !force {
        return Err(format!(
            "{} already holds a PKI ({}); pass --force to replace it",
            dir.display(),
            existing
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let ca = ca("atspec device CA").map_err(e)?;
    let (_, client_crt, client_key) = leaf(&ca, &["atspec-device"], false).map_err(e)?;
    let ca_key = ca.key().serialize_pem();
    let files: Vec<(&str, String)> = vec![
        ("ca.crt", ca.pem()),
        ("ca.key", ca_key),
        ("client.crt", client_crt.clone()),
        ("client.key", client_key.clone()),
        ("ca.0.pem", ca.pem()),
        ("client.0.crt.pem", client_crt),
        ("client.0.key.pem", client_key),
        ("README.md", PKI_README.to_string()),
    ];
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (name, text) in files {
        let p = dir.join(name);
        let mode = if name.ends_with(".key") || name.ends_with(".key.pem") {
            crate::files::PRIVATE
        } else {
            crate::files::PUBLIC
        };
        crate::files::write_new(&p, text.as_bytes(), mode, force)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        written.push(p);
    }
    Ok(written)
}

/// Every file `pki init` writes.
const PROVISIONED: [&str; 8] = [
    "ca.crt",
    "ca.key",
    "client.crt",
    "client.key",
    "ca.0.pem",
    "client.0.crt.pem",
    "client.0.key.pem",
    "README.md",
];

const PKI_README: &str = "# atspec device PKI

Made by `atspec pki init`. Keep `ca.key` private: whoever holds it can mint servers the device
trusts. `atspec certify --pki DIR` reads this directory and mints, per run, the TLS fronts the
trust checks need: a good server certificate, an expired one and one with the wrong name (all
signed by `ca.crt`), one from a CA the device does not know, and a server that demands the
device's client certificate (`client.crt`, issued by `ca.crt`).

| file | what it is | goes into the device as |
|---|---|---|
| `ca.crt` | the CA the device trusts | AT+HTTPCFG's CA slot 0 (`https_ca`, key `https_ca.0`) |
| `ca.key` | the CA's private key | nowhere: it stays with the harness |
| `client.crt` | the identity the device presents | client certificate slot 0 (`https_cert`, key `https_cert.0`) |
| `client.key` | its private key | client key slot 0 (`https_key`, key `https_key.0`) |
| `ca.0.pem`, `client.0.crt.pem`, `client.0.key.pem` | the same, in the virtual board's layout | `atspec-board --pki DIR` |

## Loading them into ESP-AT

ESP-AT v3.0 and later write the manufacturing NVS partition at run time with AT+SYSMFG
(operation 2 writes; type 8 is binary; the command prompts with `>` and takes exactly the
given number of bytes). Check the namespaces your build has with `AT+SYSMFG?`; then, for each
file, with `N` its size in bytes:

    AT+SYSMFG=2,\"https_ca\",\"https_ca.0\",8,N      then send ca.crt
    AT+SYSMFG=2,\"https_cert\",\"https_cert.0\",8,N  then send client.crt
    AT+SYSMFG=2,\"https_key\",\"https_key.0\",8,N    then send client.key

Older releases, or a production line, put the same files into the `mfg_nvs` partition at
build time (ESP-AT's documentation: \"How to Update PKI Configuration\") and flash it.

The firmware must be built with HTTP authentication enabled (the seed: \"by default, AT
firmware does not support HTTP certificate configuration\"), and modes 2 and 3 check validity
periods, so the module needs the current time first (AT+CIPSNTPCFG). Then tell the harness
what the device holds, in a device profile (`certificates: {certs: 1, keys: 1, cas: 1}`).
";
