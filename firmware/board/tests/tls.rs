//! HTTPS through the board: each AT+HTTPCFG mode against a rustls server with rcgen
//! certificates — untrusted CA, wrong host name, client certificates.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::{Board, start_with};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        Ca {
            issuer: CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    /// A leaf certificate for `names`, and its key.
    fn leaf(
        &self,
        names: &[&str],
    ) -> (
        CertificateDer<'static>,
        PrivateKeyDer<'static>,
        String,
        String,
    ) {
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (cert.der().clone(), der, cert.pem(), key.serialize_pem())
    }
}

/// `ca.0.pem` = CA "one", `ca.1.pem` = CA "two", `client.0.*` signed by "one".
fn pki(one: &Ca, two: &Ca) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "atspec-pki-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ca.0.pem"), one.issuer.pem()).unwrap();
    std::fs::write(dir.join("ca.1.pem"), two.issuer.pem()).unwrap();
    let (_, _, cert, key) = one.leaf(&["device"]);
    std::fs::write(dir.join("client.0.crt.pem"), cert).unwrap();
    std::fs::write(dir.join("client.0.key.pem"), key).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A one-shot HTTPS server. Returns its port and whether the request reached it.
fn https_once(
    leaf: (CertificateDer<'static>, PrivateKeyDer<'static>),
    client_ca: Option<&Ca>,
) -> (u16, mpsc::Receiver<bool>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.issuer.der().clone()).unwrap();
            builder.with_client_cert_verifier(
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .unwrap(),
            )
        }
        None => builder.with_no_client_auth(),
    };
    let config = Arc::new(builder.with_single_cert(vec![leaf.0], leaf.1).unwrap());
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (tcp, _) = l.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut tls = StreamOwned::new(ServerConnection::new(config).unwrap(), tcp);
        let mut req = Vec::new();
        let mut buf = [0u8; 2048];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            match tls.read(&mut buf) {
                Ok(n) if n > 0 => req.extend_from_slice(&buf[..n]),
                _ => {
                    let _ = tx.send(false);
                    return;
                }
            }
        }
        let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        tls.conn.send_close_notify();
        let _ = tls.flush();
        let _ = tx.send(true);
    });
    (port, rx)
}

fn get(b: &mut Board, port: u16) -> String {
    b.send(format!("AT+HTTPCGET=\"https://127.0.0.1:{port}/\"\r\n").as_bytes());
    let out = b.read_until(b"\r\n");
    let mut out = out;
    while !(out.ends_with(b"\r\nOK\r\n") || out.ends_with(b"\r\nERROR\r\n")) {
        out.extend(b.read_until(b"\r\n"));
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn mode_0_does_not_verify_the_server() {
    let (one, two) = (Ca::new("one"), Ca::new("two"));
    let dir = pki(&one, &two);
    let mut b = start_with(&["--pki", dir.to_str().unwrap()]);
    let (cert, key, _, _) = two.leaf(&["elsewhere.example"]);
    let (port, reached) = https_once((cert, key), None);
    assert_eq!(
        get(&mut b, port),
        "+HTTPCGET:2,ok\r\n\r\nOK\r\n",
        "CONFORMANCE.CLASS.HTTPS: a board with TLS completes an https request in mode 0"
    );
    assert!(reached.recv_timeout(Duration::from_secs(5)).unwrap());
}

#[test]
fn mode_2_verifies_the_chain_but_not_the_name() {
    let (one, two) = (Ca::new("one"), Ca::new("two"));
    let dir = pki(&one, &two);
    let mut b = start_with(&["--pki", dir.to_str().unwrap()]);
    // Trusted CA, right name.
    b.send(b"AT+HTTPCFG=2,0,0\r\n");
    b.expect(b"\r\nOK\r\n");
    let (cert, key, _, _) = one.leaf(&["127.0.0.1", "localhost"]);
    let (port, _) = https_once((cert, key), None);
    assert_eq!(get(&mut b, port), "+HTTPCGET:2,ok\r\n\r\nOK\r\n");
    // Trusted CA, wrong name: accepted (`HTTPCFG.VERIFY.NO_HOSTNAME`).
    let (cert, key, _, _) = one.leaf(&["wrong.example"]);
    let (port, _) = https_once((cert, key), None);
    assert_eq!(get(&mut b, port), "+HTTPCGET:2,ok\r\n\r\nOK\r\n");
    // Selected CA is not the issuer: the handshake fails, the command ends with ERROR.
    b.send(b"AT+HTTPCFG=2,0,1\r\n");
    b.expect(b"\r\nOK\r\n");
    let (cert, key, _, _) = one.leaf(&["127.0.0.1"]);
    let (port, reached) = https_once((cert, key), None);
    assert_eq!(get(&mut b, port), "\r\nERROR\r\n");
    assert!(
        !reached
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or(false)
    );
    b.send(b"AT\r\n");
    b.expect(b"\r\nOK\r\n");
}

#[test]
fn mode_3_presents_the_client_certificate() {
    let (one, two) = (Ca::new("one"), Ca::new("two"));
    let dir = pki(&one, &two);
    let mut b = start_with(&["--pki", dir.to_str().unwrap()]);
    b.send(b"AT+HTTPCFG=3,0,0\r\n");
    b.expect(b"\r\nOK\r\n");
    let (cert, key, _, _) = one.leaf(&["127.0.0.1"]);
    let (port, reached) = https_once((cert, key), Some(&one));
    assert_eq!(get(&mut b, port), "+HTTPCGET:2,ok\r\n\r\nOK\r\n");
    assert!(reached.recv_timeout(Duration::from_secs(5)).unwrap());
    // Mode 2 presents nothing: a server that requires a client certificate refuses.
    b.send(b"AT+HTTPCFG=2,0,0\r\n");
    b.expect(b"\r\nOK\r\n");
    let (cert, key, _, _) = one.leaf(&["127.0.0.1"]);
    let (port, _) = https_once((cert, key), Some(&one));
    assert_eq!(get(&mut b, port), "\r\nERROR\r\n");
}

#[test]
fn missing_pki_entries_are_named() {
    let (one, two) = (Ca::new("one"), Ca::new("two"));
    let dir = pki(&one, &two);
    let mut b = start_with(&["--pki", dir.to_str().unwrap()]);
    b.send(b"AT+HTTPCFG=1,1,0\r\n");
    b.expect(b"NO CERT FOUND\r\n\r\nERROR\r\n");
    b.send(b"AT+HTTPCFG=2,0,2\r\n");
    b.expect(b"NO CA FOUND\r\n\r\nERROR\r\n");
}
