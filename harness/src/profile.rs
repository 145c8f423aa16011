//! Device profiles: the facts the spec leaves to the device (`--device-profile FILE`).
//!
//! The spec says "a length the device cannot store answers ERROR", "the certificate index
//! does not exist", "if the build has TLS". Which lengths, which indexes and whether TLS is
//! there are facts of one device, not of the spec; the oracle reads them from here instead of
//! guessing. A profile is a small YAML file:
//!
//! ```yaml
//! # atspec device profile
//! certificates: {certs: 1, keys: 1, cas: 1}   # AT+HTTPCFG slots (NO … FOUND beyond them)
//! chead_entry_max: 1024   # longest AT+HTTPCHEAD entry an empty store takes; omit: memory only
//! send_length_max: null   # longest AT+HTTPCPOST/PUT length; null or omitted: memory only
//! tls: true               # HTTPS present (false: TLS clauses are not applicable)
//! ```
//!
//! Every key is optional; the defaults describe the ESP-AT reference firmware. Unknown keys
//! and bad values are errors at `file:line:col`. Boundary checks derive their values from the
//! profile: one past a declared limit must fail cleanly before any prompt, the limit itself
//! must be taken. A length no device can hold (2^31 − 1) is refused by every profile.

use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// How many certificates the device has (for AT+HTTPCFG's NO … FOUND answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Certs {
    /// Client certificates.
    pub certs: i32,
    /// Private keys.
    pub keys: i32,
    /// CA certificates.
    pub cas: i32,
}

/// A length no device can store: the largest 32-bit parameter value.
pub const UNSTORABLE: u32 = i32::MAX as u32;

/// What the spec leaves to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceProfile {
    /// Certificate, key and CA slots (AT+HTTPCFG's `NO … FOUND` answers).
    pub certificates: Certs,
    /// Longest AT+HTTPCHEAD entry an empty store takes; `None`: bounded only by memory.
    pub chead_entry_max: Option<u32>,
    /// Longest AT+HTTPCPOST/PUT length; `None`: bounded only by memory.
    pub send_length_max: Option<u32>,
    /// Whether HTTPS is present.
    pub tls: bool,
    /// How late past its bound a timed answer may come (network timeouts, a timeout of 0
    /// meaning the default): a real module's clock and its UART add some delay.
    #[serde(default = "default_tolerance")]
    pub timing_tolerance_ms: u32,
}

fn default_tolerance() -> u32 {
    DEFAULT_TOLERANCE_MS
}

/// The default `timing_tolerance_ms`.
pub const DEFAULT_TOLERANCE_MS: u32 = 250;

impl Default for DeviceProfile {
    /// The ESP-AT reference firmware: one certificate, key and CA slot, stores bounded by
    /// heap only, TLS present.
    fn default() -> Self {
        DeviceProfile {
            certificates: Certs {
                certs: 1,
                keys: 1,
                cas: 1,
            },
            chead_entry_max: None,
            send_length_max: None,
            tls: true,
            timing_tolerance_ms: DEFAULT_TOLERANCE_MS,
        }
    }
}

impl DeviceProfile {
    /// The built-in virtual board: its PKI directory holds one of each, its AT+HTTPCHEAD
    /// store is a 1024-byte arena (`atspec_firmware::store::HEADER_ARENA`) and it takes
    /// AT+HTTPCPOST/PUT lengths up to `atspec_firmware::net::SEND_LENGTH_MAX`.
    pub fn virtual_board() -> DeviceProfile {
        DeviceProfile {
            chead_entry_max: Some(atspec_board::HEADER_STORE as u32),
            send_length_max: Some(atspec_board::SEND_LENGTH),
            ..DeviceProfile::default()
        }
    }

    /// The static review of this profile as a conformance statement: each declared limit
    /// below the spec's floor (`limits.profile_*`), each missing slot of the declared class,
    /// a tolerance above the spec's ceiling. Every finding keeps the certificate INCOMPLETE:
    /// the clauses it concerns cannot be proved on such a device.
    pub fn review(&self) -> Vec<String> {
        use crate::syntax::host::limits as spec;
        let mut out = Vec::new();
        let floor = |name: &str, declared: Option<u32>, min: i64, what: &str| {
            declared.filter(|v| i64::from(*v) < min).map(|v| {
                format!(
                    "declared limit too small to prove it: {name} {v} is below the spec's floor {min} ({what})"
                )
            })
        };
        out.extend(floor(
            "chead_entry_max",
            self.chead_entry_max,
            spec::PROFILE_CHEAD_ENTRY_MAX_MIN,
            "the AT+HTTPCHEAD behaviour clauses store longer entries",
        ));
        out.extend(floor(
            "send_length_max",
            self.send_length_max,
            spec::PROFILE_SEND_LENGTH_MAX_MIN,
            "the AT+HTTPCPOST/PUT behaviour clauses send longer bodies",
        ));
        if self.tls {
            let c = self.certificates;
            for (name, n) in [("certs", c.certs), ("keys", c.keys), ("cas", c.cas)] {
                if i64::from(n) < spec::PROFILE_CERT_SLOTS_MIN {
                    out.push(format!(
                        "declared limit too small to prove it: certificates.{name} {n} is below the spec's floor {} for class https (AT+HTTPCFG modes 1 to 3 need a slot)",
                        spec::PROFILE_CERT_SLOTS_MIN
                    ));
                }
            }
        }
        if i64::from(self.timing_tolerance_ms) > spec::PROFILE_TIMING_TOLERANCE_MS_MAX {
            out.push(format!(
                "declared tolerance too loose to prove timing: timing_tolerance_ms {} is above the spec's ceiling {}",
                self.timing_tolerance_ms,
                spec::PROFILE_TIMING_TOLERANCE_MS_MAX
            ));
        }
        out
    }

    /// Whether an AT+HTTPCHEAD entry of `len` bytes is certainly refused before the prompt.
    pub fn refuses_chead(&self, len: u32) -> bool {
        len >= UNSTORABLE || self.chead_entry_max.is_some_and(|m| len > m)
    }

    /// Whether an AT+HTTPCPOST/PUT length is certainly refused before the prompt.
    pub fn refuses_send(&self, len: u32) -> bool {
        len >= UNSTORABLE || self.send_length_max.is_some_and(|m| len > m)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    certificates: Option<Spanned<CertsFile>>,
    #[serde(default)]
    chead_entry_max: Option<Spanned<i64>>,
    #[serde(default)]
    send_length_max: Option<Spanned<i64>>,
    #[serde(default)]
    tls: Option<bool>,
    #[serde(default)]
    timing_tolerance_ms: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertsFile {
    certs: i64,
    keys: i64,
    cas: i64,
}

/// The largest device profile read (a handful of keys).
pub const PROFILE_MAX: u64 = 64 * 1024;

/// Reads and checks a profile; every problem is reported as `file:line:col: error: …`.
pub fn load(path: &Path) -> Result<DeviceProfile, String> {
    let shown = path.display().to_string();
    let text = crate::files::read_input(path, PROFILE_MAX, "device profile")?;
    parse(&shown, &text)
}

/// Parses profile text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<DeviceProfile, String> {
    let f: File = if text.trim().is_empty() {
        File {
            certificates: None,
            chead_entry_max: None,
            send_length_max: None,
            tls: None,
            timing_tolerance_ms: None,
        }
    } else {
        serde_saphyr::from_str(text)
            .map_err(|e| atspec_spec::yaml_diagnostic(file, &e).to_string())?
    };
    let mut errors = Vec::new();
    let mut p = DeviceProfile::default();
    let at = |l: &serde_saphyr::Location| format!("{file}:{}:{}", l.line(), l.column());
    if let Some(c) = &f.certificates {
        let v = &c.value;
        if [v.certs, v.keys, v.cas]
            .iter()
            .any(|n| !(0..=64).contains(n))
        {
            errors.push(format!(
                "{}: error: certificate slots must be 0..=64 each",
                at(&c.referenced)
            ));
        } else {
            p.certificates = Certs {
                certs: v.certs as i32,
                keys: v.keys as i32,
                cas: v.cas as i32,
            };
        }
    }
    for (name, field, slot) in [
        (
            "chead_entry_max",
            &f.chead_entry_max,
            &mut p.chead_entry_max,
        ),
        (
            "send_length_max",
            &f.send_length_max,
            &mut p.send_length_max,
        ),
    ] {
        if let Some(v) = field {
            if (1..i64::from(UNSTORABLE)).contains(&v.value) {
                *slot = Some(v.value as u32);
            } else {
                errors.push(format!(
                    "{}: error: {name} must be 1..={} (omit it when only memory bounds it)",
                    at(&v.referenced),
                    UNSTORABLE - 1
                ));
            }
        }
    }
    if let Some(t) = f.tls {
        p.tls = t;
    }
    if let Some(t) = &f.timing_tolerance_ms {
        if (0..=60_000).contains(&t.value) {
            p.timing_tolerance_ms = t.value as u32;
        } else {
            errors.push(format!(
                "{}: error: timing_tolerance_ms must be 0..=60000",
                at(&t.referenced)
            ));
        }
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_describe_the_reference_firmware() {
        let p = parse("p.yaml", "").unwrap();
        assert_eq!(p, DeviceProfile::default());
        assert!(p.refuses_chead(UNSTORABLE));
        assert!(!p.refuses_chead(1 << 20));
        assert!(!p.refuses_send(1 << 30));
    }

    #[test]
    fn a_full_profile_reads() {
        let p = parse(
            "p.yaml",
            "certificates: {certs: 2, keys: 2, cas: 0}\nchead_entry_max: 256\nsend_length_max: 4096\ntls: false\n",
        )
        .unwrap();
        assert_eq!(p.certificates.cas, 0);
        assert_eq!(p.chead_entry_max, Some(256));
        assert!(p.refuses_chead(257) && !p.refuses_chead(256));
        assert!(p.refuses_send(4097) && !p.refuses_send(4096));
        assert!(!p.tls);
    }

    #[test]
    fn the_review_names_every_floor_a_profile_misses() {
        assert!(DeviceProfile::default().review().is_empty());
        assert!(DeviceProfile::virtual_board().review().is_empty());
        let p = parse(
            "p.yaml",
            "certificates: {certs: 0, keys: 1, cas: 0}\nchead_entry_max: 4\nsend_length_max: 4\ntiming_tolerance_ms: 60000\n",
        )
        .unwrap();
        let r = p.review();
        assert_eq!(r.len(), 5, "{r:?}");
        assert!(
            r[0].contains("chead_entry_max 4 is below the spec's floor 5"),
            "{r:?}"
        );
        assert!(
            r[1].contains("send_length_max 4 is below the spec's floor 5"),
            "{r:?}"
        );
        assert!(r[2].contains("certificates.certs 0"), "{r:?}");
        assert!(r[3].contains("certificates.cas 0"), "{r:?}");
        assert!(
            r[4].contains("timing_tolerance_ms 60000 is above the spec's ceiling 2000"),
            "{r:?}"
        );
        // At the floors (the `tiny-stores` board's profile) nothing is missing.
        let p = parse("p.yaml", "chead_entry_max: 5\nsend_length_max: 5\n").unwrap();
        assert!(p.review().is_empty(), "{:?}", p.review());
        // Without TLS no certificate slot is needed (class http).
        let p = parse(
            "p.yaml",
            "certificates: {certs: 0, keys: 0, cas: 0}\ntls: false\n",
        )
        .unwrap();
        assert!(p.review().is_empty());
    }

    #[test]
    fn errors_point_at_file_line_col() {
        let e = parse("p.yaml", "tls: true\nchead_max: 3\n").unwrap_err();
        assert!(e.starts_with("p.yaml:2:1: error:"), "{e}");
        assert!(e.contains("chead_max"), "{e}");
        let e = parse(
            "p.yaml",
            "tls: true\nchead_entry_max: 0\nsend_length_max: -5\n",
        )
        .unwrap_err();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines.len(), 2, "{e}");
        assert!(
            lines[0].starts_with("p.yaml:2:18: error: chead_entry_max"),
            "{e}"
        );
        assert!(
            lines[1].starts_with("p.yaml:3:18: error: send_length_max"),
            "{e}"
        );
        let e = parse("p.yaml", "tls: maybe\n").unwrap_err();
        assert!(e.starts_with("p.yaml:1:"), "{e}");
        let e = parse("p.yaml", "certificates: {certs: 1, keys: 1, cas: 99}\n").unwrap_err();
        assert!(
            e.starts_with("p.yaml:1:15: error: certificate slots"),
            "{e}"
        );
    }
}
