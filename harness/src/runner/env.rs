//! What a case runs against (`Env`) and by whom it is judged (`Judges`), with the names
//! reports give them.

use std::collections::BTreeMap;

use crate::device::Device;
use crate::mock::MockPeer;
use crate::oracle::{Server, SpecProfile};
use crate::profile::DeviceProfile;
use crate::world::step::Step;

/// Everything a case runs against.
pub struct Env {
    /// The device session.
    pub device: Device,
    /// The mock peer.
    pub mock: MockPeer,
    /// What the spec leaves to the device.
    pub profile: DeviceProfile,
    /// The spec profiles every case is judged by.
    pub judges: Judges,
    /// Per judge, whether this device follows redirects (the contract allows either reading,
    /// `HTTP.REDIRECT.NOT_FOLLOWED`): the first redirect decides, and every later one of the
    /// run must agree. The step that decided is kept for the message.
    pub redirects: std::collections::BTreeMap<&'static str, (bool, String)>,
}

/// Spec identity for reports.
pub fn spec_id() -> String {
    use crate::syntax::host;
    format!(
        "{} {} (hash {:016x})",
        host::SPEC_NAME,
        host::SPEC_VERSION,
        host::SPEC_HASH
    )
}

/// Names of the mock endpoints for transcripts.
pub fn mock_urls(mock: &MockPeer) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut all = vec![
        ("wiremock".to_string(), Server::Wiremock),
        ("raw".into(), Server::Raw),
    ];
    for f in mock.fronts() {
        all.push((format!("tls-{f:?}").to_lowercase(), Server::Tls(f)));
    }
    for (name, s) in all {
        if let Some(u) = mock.url(s) {
            m.insert(name, u);
        }
    }
    m
}

/// The spec profiles a run judges by: `primary` decides the verdict (and the exit status),
/// `second` is reported next to it (the contract beside an ESP-AT version, or the reverse).
#[derive(Debug, Clone, Copy)]
pub struct Judges {
    /// `--profile`.
    pub primary: &'static SpecProfile,
    /// The other verdict of the report.
    pub second: Option<&'static SpecProfile>,
}

impl Default for Judges {
    fn default() -> Self {
        Judges {
            primary: crate::oracle::contract(),
            second: None,
        }
    }
}

/// The first command of `steps` that `judge` lacks (its checks are not applicable under it).
/// A test-form probe (`AT+NAME=?`) does not count: it is how a version's claim to lack a
/// command is verified (answered as unknown), so it is judged under every profile.
pub fn lacked_command(judge: &SpecProfile, steps: &[Step]) -> Option<&'static str> {
    use crate::syntax::device::Name;
    steps.iter().find_map(|s| match s {
        Step::Send { bytes, busy, .. } => std::iter::once(&bytes.0)
            .chain(busy.as_ref().map(|b| &b.0))
            .flat_map(|b| b.split(|&c| c == b'\n'))
            .filter_map(|line| {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.ends_with(b"=?") {
                    return None;
                }
                let rest = line
                    .get(..2)?
                    .eq_ignore_ascii_case(b"AT")
                    .then(|| &line[2..])?;
                let end = rest
                    .iter()
                    .position(|&b| b == b'=' || b == b'?')
                    .unwrap_or(rest.len());
                Name::lookup(&rest[..end])
            })
            .find(|n| !judge.has(*n))
            .map(|n| n.as_str()),
        Step::Mock { .. } | Step::Pause { .. } => None,
    })
}

/// The contract's profile id.
pub fn contract_id() -> &'static str {
    crate::oracle::contract().id
}

/// How a profile's verdict is named in reports: `the contract`, `ESP-AT 3.1`.
pub fn judge_name(j: &SpecProfile) -> String {
    match j.esp_at_version {
        Some((a, b)) => format!("ESP-AT {a}.{b}"),
        None if j.alternatives => format!("the {}", j.id),
        None => "ESP-AT (current)".to_string(),
    }
}
