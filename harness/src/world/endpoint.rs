//! The endpoints of the mock peer and the network as the oracle sees it.

use serde::{Deserialize, Serialize};

use super::scenario::Scenario;

/// A mock endpoint the device can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Server {
    /// wiremock, plain HTTP.
    Wiremock,
    /// The raw scripted server, plain HTTP.
    Raw,
    /// A TLS front of the raw server.
    Tls(TlsFront),
}

/// The certificate a TLS front presents, and whether it asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsFront {
    /// Chains to the run's CA, valid now, names 127.0.0.1.
    Good,
    /// Signed by a CA the device does not hold.
    Untrusted,
    /// Chains to the run's CA but expired.
    Expired,
    /// Chains to the run's CA but names another host.
    WrongName,
    /// Good certificate; requires a client certificate from the run's CA.
    ClientAuth,
}

/// The network as the oracle sees it.
#[derive(Debug, Clone)]
pub struct World {
    /// The answer in force.
    pub scenario: Scenario,
    /// Host name or address of the mock endpoints as the device is told it.
    pub host: String,
    /// Endpoints by port.
    pub servers: Vec<(u16, Server)>,
}

impl World {
    /// The endpoint at `host:port`, if the device can reach one there.
    pub fn server(&self, host: &[u8], port: u16) -> Option<Server> {
        if host != self.host.as_bytes() {
            return None;
        }
        self.servers
            .iter()
            .find(|(p, _)| *p == port)
            .map(|&(_, s)| s)
    }
}
