//! Clause checks: at least one named check per clause of the spec.
//!
//! A check is data: the steps it runs (built against the mock peer's addresses) and the
//! clauses it judges. The oracle predicts every answer and request; some checks add a literal
//! assertion of their own where a clause is about exact bytes, so that those bytes are
//! written down twice, independently of the oracle.

mod base;
mod bounds;
mod commands;
mod framing;
mod http;
mod params;
mod robust;
mod tls;

use crate::mock::MockPeer;
use crate::oracle::{Server, TlsFront};
use crate::profile::DeviceProfile;
use crate::runner::Transcript;
use crate::syntax::host::Clause;
use crate::world::step::Step;

/// What a check needs from the mock peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing special.
    Nothing,
    /// These TLS fronts (skipped without them).
    Fronts(&'static [TlsFront]),
    /// The good TLS front, whatever the device declares: a device with TLS must complete a
    /// request to it, one without must fail it (its conformance class is exercised).
    ClassFront,
    /// The raw server on port 80 and a good TLS front on 443 (host/path mode; skipped when the
    /// harness cannot bind them).
    WellKnownPorts,
    /// A device profile that declares the longest AT+HTTPCHEAD entry.
    CheadLimit,
    /// A device profile that declares the longest AT+HTTPCPOST/PUT length.
    SendLimit,
}

/// Why a check cannot run on this device and peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmet {
    /// Outside the device's conformance class (it declares no TLS): the check is not
    /// applicable, and the certificate names the smaller class.
    OutsideClass(String),
    /// Evidence the run could not gather (a front, a port, a declared limit): the check is
    /// skipped, and its clauses stay unproved.
    Missing(String),
}

/// How to give the harness a TLS front a device trusts.
const PKI_HINT: &str = "provision the device with `atspec pki init DIR` and pass --pki DIR";
/// Why a check is outside a device without TLS.
const NO_TLS: &str = "not applicable: the device profile declares no TLS (class http)";

impl Needs {
    /// What of these needs the device, its profile and the mock peer leave unmet.
    pub fn unmet(&self, profile: &DeviceProfile, mock: &MockPeer) -> Option<Unmet> {
        let has = |f: TlsFront| mock.fronts().contains(&f);
        let missing = |why: String| Some(Unmet::Missing(why));
        match self {
            Needs::Nothing => None,
            Needs::ClassFront if has(TlsFront::Good) => None,
            Needs::ClassFront => missing(format!("needs a TLS front: {PKI_HINT}")),
            Needs::Fronts(_) | Needs::WellKnownPorts if !profile.tls => {
                Some(Unmet::OutsideClass(match self {
                    Needs::WellKnownPorts => {
                        format!("{NO_TLS} (host/path mode's transport 2 is HTTPS on port 443)")
                    }
                    _ => NO_TLS.to_string(),
                }))
            }
            Needs::Fronts(fs) => fs.iter().find(|f| !has(**f)).and_then(|f| {
                missing(format!(
                    "needs the {f:?} TLS front: {PKI_HINT} (the virtual board is provisioned by itself)"
                ))
            }),
            Needs::CheadLimit if profile.chead_entry_max.is_none() => missing(
                "the device profile declares no AT+HTTPCHEAD entry limit (chead_entry_max)".into(),
            ),
            Needs::SendLimit if profile.send_length_max.is_none() => missing(
                "the device profile declares no AT+HTTPCPOST/PUT length limit (send_length_max)"
                    .into(),
            ),
            Needs::CheadLimit | Needs::SendLimit => None,
            Needs::WellKnownPorts if mock.has_well_known_ports() => None,
            // Port 443 is an HTTPS front: without a PKI there is none to serve.
            Needs::WellKnownPorts if mock.fronts().is_empty() => missing(format!(
                "needs the mock peer on ports 80 and 443 (host/path mode), and 443 is an HTTPS front: {PKI_HINT}"
            )),
            Needs::WellKnownPorts => {
                missing("needs the mock peer on ports 80 and 443 (host/path mode)".into())
            }
        }
    }
}

/// The network timeout a device applies when none is given (the spec's `timeout_ms` default,
/// generated from the spec).
pub const DEFAULT_TIMEOUT_MS: u64 = crate::syntax::host::limits::TIMEOUT_MS_DEFAULT as u64;

/// An extra literal assertion over the finished transcript.
pub type Assert = fn(&Transcript) -> Result<(), String>;

/// Builds a check's steps against the mock peer's addresses and the device profile.
pub type Steps = std::sync::Arc<dyn Fn(&Ctx) -> Vec<Step> + Send + Sync>;

/// One named check.
#[derive(Clone)]
pub struct Check {
    /// Stable name, `group.what`.
    pub name: &'static str,
    /// Clauses it proves: its expectations for them are exact (unless a step of the run had
    /// to be judged loosely, which demotes them to touched — see `CheckResult`). Typed, so a
    /// clause removed from the spec is a compile error here; ids only at the report boundary.
    pub clauses: Vec<Clause>,
    /// Clauses it only exercises: its steps involve them, but it does not pin their output.
    pub touches: Vec<Clause>,
    /// What it needs.
    pub needs: Needs,
    /// Its steps.
    pub steps: Steps,
    /// A literal assertion of its own.
    pub assert: Option<Assert>,
    /// It waits on purpose (a silence past the default timeout, a late or stalled server):
    /// `--skip-timing` leaves it out, and its clauses unproved.
    pub timing: bool,
}

/// Why a timing check did not run.
pub const SKIPPED_TIMING: &str = "a timing check, skipped (--skip-timing)";

impl Check {
    /// Why this check cannot run here: its needs unmet by the device profile or the mock
    /// peer, or it waits on purpose and the run skips timing. `None`: it runs.
    pub fn unmet(
        &self,
        profile: &DeviceProfile,
        mock: &MockPeer,
        skip_timing: bool,
    ) -> Option<Unmet> {
        if skip_timing && self.timing {
            return Some(Unmet::Missing(SKIPPED_TIMING.into()));
        }
        self.needs.unmet(profile, mock)
    }

    fn new(
        name: &'static str,
        clauses: &[Clause],
        steps: impl Fn(&Ctx) -> Vec<Step> + Send + Sync + 'static,
    ) -> Check {
        Check {
            name,
            clauses: clauses.to_vec(),
            touches: Vec::new(),
            needs: Needs::Nothing,
            steps: std::sync::Arc::new(steps),
            assert: None,
            timing: false,
        }
    }

    fn needs(mut self, n: Needs) -> Check {
        self.needs = n;
        self
    }

    /// Clauses the check exercises without proving them.
    fn touches(mut self, t: &[Clause]) -> Check {
        self.touches = t.to_vec();
        self
    }

    fn assert(mut self, a: Assert) -> Check {
        self.assert = Some(a);
        self
    }

    /// Marks a check that waits on purpose.
    fn timing(mut self) -> Check {
        self.timing = true;
        self
    }
}

/// Addresses and device facts for building steps.
pub struct Ctx<'a> {
    mock: &'a MockPeer,
    closed_port: u16,
    /// The device profile the run judges under.
    pub profile: DeviceProfile,
}

impl<'a> Ctx<'a> {
    /// A context over `mock`; `closed_port` is a loopback port nothing listens on.
    pub fn new(mock: &'a MockPeer, closed_port: u16, profile: DeviceProfile) -> Ctx<'a> {
        Ctx {
            mock,
            closed_port,
            profile,
        }
    }

    /// An AT+HTTPCHEAD entry for a behaviour check: `long` when the device profile's entry
    /// limit takes it, else `short` (at most the spec's floor, `profile_chead_entry_max`), so
    /// that a device with small stores still proves the clause instead of refusing the entry.
    pub fn entry<'s>(&self, long: &'s str, short: &'s str) -> &'s str {
        debug_assert!(
            short.len() as i64 <= crate::syntax::host::limits::PROFILE_CHEAD_ENTRY_MAX_MIN
        );
        if self.profile.refuses_chead(long.len() as u32) {
            short
        } else {
            long
        }
    }

    /// A body for a behaviour check: `full`, cut to the device profile's AT+HTTPCPOST/PUT
    /// length limit (never below the spec's floor, `profile_send_length_max`); its most
    /// telling bytes come first.
    pub fn body<'s>(&self, full: &'s [u8]) -> &'s [u8] {
        let floor = crate::syntax::host::limits::PROFILE_SEND_LENGTH_MAX_MIN as usize;
        match self.profile.send_length_max {
            Some(m) => &full[..full.len().min((m as usize).max(floor))],
            None => full,
        }
    }

    /// `path` under the run's prefix: what a device must request for the peer to count the
    /// request as its own (relative redirects, host/path mode, landing pages).
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.mock.prefix())
    }

    /// A wiremock URL (`path` under the run's prefix).
    pub fn wiremock_url(&self, path: &str) -> String {
        self.url(Server::Wiremock, path)
    }

    /// A raw-server URL.
    pub fn raw_url(&self, path: &str) -> String {
        self.url(Server::Raw, path)
    }

    /// A TLS front URL.
    pub fn tls_url(&self, f: TlsFront, path: &str) -> String {
        self.url(Server::Tls(f), path)
    }

    fn url(&self, s: Server, path: &str) -> String {
        format!(
            "{}{}",
            self.mock.url(s).unwrap_or_default(),
            self.path(path)
        )
    }

    /// A URL nothing answers (connection refused).
    pub fn closed(&self, path: &str) -> String {
        format!(
            "http://{}:{}{}",
            self.mock.host,
            self.closed_port,
            self.path(path)
        )
    }

    /// Whether this run serves ports 80 and 443 (AT+HTTPCLIENT's host/path mode).
    pub fn well_known_ports(&self) -> bool {
        self.mock.has_well_known_ports()
    }

    /// The address the device is told.
    pub fn host(&self) -> &str {
        &self.mock.host
    }
}

/// A command line step.
fn l(text: impl AsRef<str>) -> Step {
    Step::line(text.as_ref())
}

/// Bytes sent as they are (a data phase, or input that is not a command line).
fn bytes(b: impl AsRef<[u8]>) -> Step {
    Step::raw(b.as_ref().to_vec())
}

/// `AT+HTTPURLCFG=<len>` and the URL as data.
fn store_url(url: &str) -> [Step; 2] {
    [l(format!("AT+HTTPURLCFG={}", url.len())), bytes(url)]
}

/// `AT+HTTPCHEAD=<len>` and the header as data.
fn store_header(h: &str) -> [Step; 2] {
    [l(format!("AT+HTTPCHEAD={}", h.len())), bytes(h)]
}

/// Literal assertion helper: the actual output of Send step `i` (counting Send steps only)
/// contains `needle`.
fn sent_answer_has(t: &Transcript, i: usize, needle: &[u8]) -> Result<(), String> {
    let rec = t
        .records
        .iter()
        .filter(|r| matches!(r.step, Step::Send { .. }))
        .nth(i)
        .ok_or_else(|| format!("no step {i}"))?;
    if rec.actual.0.windows(needle.len()).any(|w| w == needle) {
        Ok(())
    } else {
        Err(format!(
            "answer {i} lacks `{}`: `{}`",
            crate::bytes::escape(needle),
            rec.actual.escaped()
        ))
    }
}

/// Literal assertion of `RESULT.FINAL.LAST`, written without the oracle: every answer to
/// bytes the harness sent ends with a final result (or, before data, the prompt), and a listen
/// step (a Send of no bytes, which reads for a while) heard nothing at all.
fn answers_end_at_their_final_result(t: &Transcript) -> Result<(), String> {
    const ENDINGS: [&[u8]; 6] = [
        b"\r\nOK\r\n",
        b"\r\nERROR\r\n",
        b"\r\nSEND OK\r\n",
        b"\r\nSEND FAIL\r\n",
        b"\r\nSET OK\r\n",
        b"\r\nOK\r\n\r\n>",
    ];
    for (i, rec) in t.records.iter().enumerate() {
        let Step::Send { bytes, .. } = &rec.step else {
            continue;
        };
        let answer = &rec.actual.0;
        if bytes.0.is_empty() {
            if !answer.is_empty() {
                return Err(format!(
                    "step {i}: output after the previous answer's final result: `{}`",
                    rec.actual.escaped()
                ));
            }
        } else if !ENDINGS.iter().any(|e| answer.ends_with(e)) {
            return Err(format!(
                "step {i}: the answer to `{}` does not end with its final result: `{}`",
                bytes.escaped(),
                rec.actual.escaped()
            ));
        }
    }
    Ok(())
}

/// Every check.
pub fn all() -> Vec<Check> {
    let mut v = Vec::new();
    v.extend(framing::checks());
    v.extend(params::checks());
    v.extend(base::checks());
    v.extend(http::checks());
    v.extend(commands::checks());
    v.extend(tls::checks());
    v.extend(robust::checks());
    v.extend(bounds::checks());
    v
}

/// The clause group of an id (`HTTPCLIENT.OPT.UNKNOWN` → `HTTPCLIENT`).
pub fn group(clause: &str) -> &str {
    clause.split('.').next().unwrap_or(clause)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::host;
    use std::collections::BTreeSet;

    #[test]
    fn every_clause_has_a_proving_check() {
        // Checks cite clauses by type, so an unknown one does not compile; what is left to
        // test is coverage. Only the clauses a check proves count; what it touches does not.
        let checks = all();
        let proved: BTreeSet<&str> = checks
            .iter()
            .flat_map(|c| c.clauses.iter().map(|c| c.id()))
            .collect();
        for c in &checks {
            assert!(
                c.touches.iter().all(|t| !c.clauses.contains(t)),
                "{} both proves and touches a clause",
                c.name
            );
        }
        let missing: Vec<&str> = host::CLAUSES
            .iter()
            .map(|c| c.id)
            .filter(|id| !proved.contains(id))
            .collect();
        assert!(missing.is_empty(), "clauses no check proves: {missing:?}");
    }

    #[test]
    fn the_default_timeout_is_the_specs() {
        let spec = atspec_spec::load(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/esp-at-http.yaml"),
        )
        .unwrap();
        let r = spec
            .limits
            .ranges
            .iter()
            .find(|r| r.name.value == "timeout_ms")
            .unwrap();
        assert_eq!(
            r.default.as_ref().map(|d| d.value as u64),
            Some(DEFAULT_TIMEOUT_MS)
        );
    }

    #[test]
    fn check_names_are_unique() {
        let checks = all();
        let names: BTreeSet<&str> = checks.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), checks.len());
    }
}
