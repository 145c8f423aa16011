//! Who may reach the mock peer. The peer's ports are open to every local process (and, with
//! `--mock-bind 0.0.0.0`, to the LAN), so a request is only the device's when its target lies
//! under the run's random path prefix; anything else is *foreign traffic*: answered 404 at
//! once, never buffered, never judged, but counted and listed in the report. The gate also
//! counts connections by source address and caps how many run at a time, so no neighbour can
//! make the peer hold more than a bounded amount of memory.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};

/// Connections served at once, over every endpoint of one peer. A device makes one at a time
/// (two while a TLS front relays); the rest of the room is for a slow close or a neighbour.
pub const MAX_CONNECTIONS: usize = 64;

/// Distinct foreign requests listed by name in a report (all of them are counted).
pub const FOREIGN_LISTED: usize = 20;

/// One distinct foreign request and how often it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// `METHOD target from ADDRESS`, escaped and cut to 200 bytes a part.
    pub request: String,
    /// How many times.
    pub count: u64,
}

/// What reached the peer besides the device's requests, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traffic {
    /// Requests whose target was not under the run's prefix: not the device's, not judged.
    #[serde(default)]
    pub foreign: u64,
    /// The first [`FOREIGN_LISTED`] distinct ones, in the order they came.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_listed: Vec<Seen>,
    /// Connections by source address (a TLS front's own relay connections aside).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, u64>,
    /// Connections closed at once because [`MAX_CONNECTIONS`] were open.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refused_connections: u64,
    /// The peer listened on every address (`--mock-bind 0.0.0.0`): anyone who can reach the
    /// machine could connect, so the report always names the sources.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_bind: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Traffic {
    /// Adds `other` (another device's peer, or another shard) to this one.
    pub fn absorb(&mut self, other: &Traffic) {
        self.foreign += other.foreign;
        for l in &other.foreign_listed {
            self.list(&l.request, l.count);
        }
        for (a, n) in &other.sources {
            *self.sources.entry(a.clone()).or_default() += n;
        }
        self.refused_connections += other.refused_connections;
        self.open_bind |= other.open_bind;
    }

    fn list(&mut self, request: &str, count: u64) {
        if let Some(s) = self
            .foreign_listed
            .iter_mut()
            .find(|s| s.request == request)
        {
            s.count += count;
        } else if self.foreign_listed.len() < FOREIGN_LISTED {
            self.foreign_listed.push(Seen {
                request: request.to_string(),
                count,
            });
        }
    }

    /// Whether something other than the device (may have) talked to the peer.
    pub fn noteworthy(&self) -> bool {
        self.foreign > 0 || self.refused_connections > 0 || self.sources.len() > 1 || self.open_bind
    }

    /// What a report says about it, one line each (nothing when only the device talked):
    /// the count of foreign requests, the first ones, refused connections and the sources.
    pub fn lines(&self) -> Vec<String> {
        if !self.noteworthy() {
            return Vec::new();
        }
        let mut v = Vec::new();
        if self.foreign > 0 {
            v.push(format!(
                "{} foreign request{} (not under the run's path prefix: not the device's, not judged)",
                self.foreign,
                if self.foreign == 1 { "" } else { "s" }
            ));
            v.extend(
                self.foreign_listed
                    .iter()
                    .map(|l| format!("  {} ({}×)", l.request, l.count)),
            );
            let listed: u64 = self.foreign_listed.iter().map(|l| l.count).sum();
            if self.foreign > listed {
                v.push(format!("  … and {} others", self.foreign - listed));
            }
        }
        if self.refused_connections > 0 {
            v.push(format!(
                "{} connection{} closed at once ({MAX_CONNECTIONS} were open)",
                self.refused_connections,
                if self.refused_connections == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        let sources: Vec<String> = self
            .sources
            .iter()
            .map(|(a, n)| format!("{a} ({n})"))
            .collect();
        v.push(format!(
            "connections to the mock peer came from: {}",
            sources.join(", ")
        ));
        v
    }
}

#[derive(Default)]
struct Inner {
    prefix: RwLock<String>,
    traffic: Mutex<Traffic>,
    relays: Mutex<HashSet<SocketAddr>>,
    live: AtomicUsize,
    faults: Mutex<Vec<String>>,
    /// The device's requests that reached an endpoint whole, ever.
    arrived: AtomicUsize,
}

/// Framing faults kept between two takes (a step's requests); later ones are dropped.
const FAULTS_KEPT: usize = 16;

/// The gate every endpoint of one peer shares (cheap to clone).
#[derive(Clone, Default)]
pub struct Gate(Arc<Inner>);

/// A connection slot; dropping it frees the slot.
pub struct Permit(Arc<Inner>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    /// A gate with a fresh random prefix.
    pub fn new() -> Gate {
        let g = Gate::default();
        g.set_prefix(&random_prefix());
        g
    }

    /// The path prefix the device's URLs carry (empty: every request is the device's, as
    /// when replaying a transcript recorded before prefixes).
    pub fn prefix(&self) -> String {
        self.0.prefix.read().expect("prefix lock").clone()
    }

    /// Sets the prefix (replay takes the recorded one, so its steps stay byte for byte).
    pub fn set_prefix(&self, p: &str) {
        *self.0.prefix.write().expect("prefix lock") = p.to_string();
    }

    /// Whether a request for `target` is the device's: its path (of an origin-form target, or
    /// of an absolute-form one) is the prefix or lies under it.
    pub fn admits(&self, target: &[u8]) -> bool {
        let prefix = self.prefix();
        if prefix.is_empty() {
            return true;
        }
        let path = match target.windows(3).position(|w| w == b"://") {
            Some(i) if !target.starts_with(b"/") => {
                let rest = &target[i + 3..];
                &rest[rest.iter().position(|&b| b == b'/').unwrap_or(rest.len())..]
            }
            _ => target,
        };
        path.strip_prefix(prefix.as_bytes())
            .is_some_and(|rest| matches!(rest.first(), None | Some(b'/' | b'?' | b'#')))
    }

    /// Counts one of the device's requests that reached an endpoint whole (recorded, or
    /// relayed to wiremock), before its answer: what a busy step waits for.
    pub fn arrived(&self) {
        self.0.arrived.fetch_add(1, Ordering::SeqCst);
    }

    /// How many of the device's requests have arrived so far.
    pub fn arrivals(&self) -> usize {
        self.0.arrived.load(Ordering::SeqCst)
    }

    /// Records a foreign request.
    pub fn foreign(&self, from: Option<SocketAddr>, method: &[u8], target: &[u8]) {
        let from = from.map_or_else(|| "?".to_string(), |a| a.ip().to_string());
        let cut = |b: &[u8]| crate::bytes::escape(&b[..b.len().min(200)]);
        let request = format!("{} {} from {from}", cut(method), cut(target));
        let mut t = self.0.traffic.lock().expect("traffic lock");
        t.foreign += 1;
        t.list(&request, 1);
    }

    /// Takes a connection slot; `None` when [`MAX_CONNECTIONS`] are open (the caller closes
    /// the connection at once).
    pub fn enter(&self) -> Option<Permit> {
        if self.0.live.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            self.0.live.fetch_sub(1, Ordering::SeqCst);
            self.0
                .traffic
                .lock()
                .expect("traffic lock")
                .refused_connections += 1;
            return None;
        }
        Some(Permit(self.0.clone()))
    }

    /// Counts a connection from `peer` as a source, unless it is a TLS front's relay.
    pub fn connected(&self, peer: Option<SocketAddr>) {
        let Some(p) = peer else { return };
        if self.0.relays.lock().expect("relays lock").remove(&p) {
            return;
        }
        *self
            .0
            .traffic
            .lock()
            .expect("traffic lock")
            .sources
            .entry(p.ip().to_string())
            .or_default() += 1;
    }

    /// Registers a TLS front's relay connection (by its local address) before it reaches the
    /// raw server, so that the raw server does not count it as a source.
    pub fn relay(&self, local: SocketAddr) {
        self.0.relays.lock().expect("relays lock").insert(local);
    }

    /// Records a framing fault of one of the device's requests at `server` (see
    /// [`crate::world::request::framing_faults`]).
    pub fn fault(&self, server: &str, what: &str) {
        let mut f = self.0.faults.lock().expect("faults lock");
        if f.len() < FAULTS_KEPT {
            f.push(format!("at {server}: {what}"));
        }
    }

    /// The framing faults since the last take.
    pub fn take_faults(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.faults.lock().expect("faults lock"))
    }

    /// What reached the peer so far.
    pub fn traffic(&self) -> Traffic {
        self.0.traffic.lock().expect("traffic lock").clone()
    }
}

/// `/atspec-` and 16 hex digits from the process's hash keys, the time and the pid: not
/// guessable by a process that has not read this run's output.
fn random_prefix() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!("/atspec-{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only targets under the prefix are the device's: the prefix itself, a path, a query
    /// or an absolute-form target under it; never a longer name or an unrelated path.
    #[test]
    fn the_prefix_decides_whose_request_it_is() {
        let g = Gate::default();
        g.set_prefix("/atspec-00ff");
        for ok in [
            &b"/atspec-00ff"[..],
            b"/atspec-00ff/x",
            b"/atspec-00ff?q=1",
            b"http://h:1/atspec-00ff/y",
        ] {
            assert!(g.admits(ok), "{}", String::from_utf8_lossy(ok));
        }
        for no in [
            &b"/"[..],
            b"/x",
            b"/atspec-00ffx",
            b"/atspec-00f",
            b"http://h:1/x",
            b"",
        ] {
            assert!(!g.admits(no), "{}", String::from_utf8_lossy(no));
        }
        g.set_prefix("");
        assert!(
            g.admits(b"/anything"),
            "no prefix: every request is the device's"
        );
        assert_ne!(random_prefix(), random_prefix());
    }

    /// Foreign requests are all counted and the first few listed, escaped; connections past
    /// the cap are refused and counted; relayed connections are not sources.
    #[test]
    fn traffic_is_counted_and_bounded() {
        let g = Gate::default();
        let from: SocketAddr = "10.0.0.7:5555".parse().unwrap();
        for i in 0..FOREIGN_LISTED + 5 {
            g.foreign(Some(from), b"GET", format!("/{i}").as_bytes());
            g.foreign(Some(from), b"GET", b"/x\x1b[2J");
        }
        let t = g.traffic();
        assert_eq!(t.foreign, 2 * (FOREIGN_LISTED as u64 + 5));
        assert_eq!(t.foreign_listed.len(), FOREIGN_LISTED);
        assert_eq!(t.foreign_listed[1].request, "GET /x\\x1b[2J from 10.0.0.7");
        assert_eq!(t.foreign_listed[1].count, FOREIGN_LISTED as u64 + 5);
        assert_eq!(
            t.lines().iter().filter(|l| l.contains("others")).count(),
            1,
            "the unlisted ones are counted: {:?}",
            t.lines()
        );
        let permits: Vec<_> = (0..MAX_CONNECTIONS)
            .map(|_| {
                g.connected(Some(from));
                g.enter().unwrap()
            })
            .collect();
        assert!(g.enter().is_none());
        drop(permits);
        assert!(g.enter().is_some(), "slots are freed");
        let relay: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        g.relay(relay);
        g.connected(Some(relay));
        let t = g.traffic();
        assert_eq!(t.refused_connections, 1);
        assert_eq!(t.sources.get("10.0.0.7"), Some(&(MAX_CONNECTIONS as u64)));
        assert!(!t.sources.contains_key("127.0.0.1"));
    }
}
