//! HTTPS for the board: rustls with the ring provider, configured from AT+HTTPCFG.
//!
//! | mode | server certificate | client certificate | SNI |
//! |---|---|---|---|
//! | 0, 1 | not verified (`HTTPCFG.VERIFY.MODES_0_1`) | mode 1 presents it | sent |
//! | 2, 3 | chain and validity verified against CA `ca_number`, host name not compared (`HTTPCFG.VERIFY.NO_HOSTNAME`) | mode 3 presents it | not sent |
//!
//! The PKI directory holds `ca.N.pem`, `client.N.crt.pem` and `client.N.key.pem` files,
//! numbered from 0 as AT+HTTPCFG's indexes select them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use atspec_firmware::Tls;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring, verify_tls12_signature, verify_tls13_signature};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
    SignatureScheme, StreamOwned,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

/// The board's certificate store.
#[derive(Debug, Clone, Default)]
pub struct Pki {
    dir: Option<PathBuf>,
}

impl Pki {
    /// Certificates from `dir` (none without a directory).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Pki { dir }
    }

    fn count(&self, f: impl Fn(u32) -> String) -> u32 {
        let Some(dir) = &self.dir else { return 0 };
        (0..).take_while(|&i| dir.join(f(i)).exists()).count() as u32
    }

    /// How many of each kind the engine may select.
    pub fn counts(&self) -> atspec_firmware::Pki {
        atspec_firmware::Pki {
            certs: self.count(|i| format!("client.{i}.crt.pem")),
            keys: self.count(|i| format!("client.{i}.key.pem")),
            cas: self.count(|i| format!("ca.{i}.pem")),
        }
    }

    fn file(&self, name: String) -> Result<PathBuf, String> {
        let dir = self.dir.as_deref().ok_or("no --pki directory")?;
        Ok(dir.join(name))
    }

    fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
        CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// A client configuration for one request.
    pub fn config(&self, tls: &Tls) -> Result<Arc<ClientConfig>, String> {
        let provider = Arc::new(ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let builder = if tls.verify_server {
            let mut roots = RootCertStore::empty();
            for c in Self::certs(&self.file(format!("ca.{}.pem", tls.ca))?)? {
                roots.add(c).map_err(|e| e.to_string())?;
            }
            let inner =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| e.to_string())?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly(inner)))
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
        };
        let mut config = if tls.client_cert {
            let certs = Self::certs(&self.file(format!("client.{}.crt.pem", tls.pki))?)?;
            let key_path = self.file(format!("client.{}.key.pem", tls.pki))?;
            let key = PrivateKeyDer::from_pem_file(&key_path)
                .map_err(|e| format!("{}: {e}", key_path.display()))?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| e.to_string())?
        } else {
            builder.with_no_client_auth()
        };
        config.enable_sni = !tls.verify_server;
        Ok(Arc::new(config))
    }
}

/// Modes 0 and 1: any certificate; handshake signatures are still checked.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Modes 2 and 3: the chain and validity must check out; the name is not compared.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end: &CertificateDer<'_>,
        mid: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain before the name, so a name error means the chain is good.
        match self.0.verify_server_cert(end, mid, name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(m, c, d)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(m, c, d)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// A connection: plain TCP or TLS over TCP.
pub enum Sock {
    /// http
    Plain(TcpStream),
    /// https
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Sock {
    /// Runs the TLS handshake (bounded by the network timeout) over a connected socket.
    pub fn tls(mut tcp: TcpStream, host: &str, config: Arc<ClientConfig>) -> Result<Sock, String> {
        let name = ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
        let mut conn = ClientConnection::new(config, name).map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(|e| e.to_string())?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(|e| e.to_string())?;
        }
        tcp.set_read_timeout(Some(Duration::from_millis(1)))
            .map_err(|e| e.to_string())?;
        Ok(Sock::Tls(Box::new(StreamOwned::new(conn, tcp))))
    }
}

impl Read for Sock {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Sock::Plain(s) => s.read(buf),
            Sock::Tls(s) => match s.read(buf) {
                // A peer that closes without close_notify ends a close-delimited body too.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}

impl Write for Sock {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sock::Plain(s) => s.write(buf),
            Sock::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sock::Plain(s) => s.flush(),
            Sock::Tls(s) => s.flush(),
        }
    }
}
