//! Profiles: the sets of expectations a device is judged by, as generated from the spec's
//! `profiles:` section. Firmware uses them to emulate an ESP-AT version (which commands exist,
//! which clause variants apply); the harness to judge a device by one.

/// The clause variants a profile has instead of the clauses' statements. One flag per variant
/// kind the spec schema knows; all `false` is the contract's behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Behaviour {
    /// `head_line_space`: AT+HTTPCLIENT HEAD lines read `+HTTPCLIENT:<n>, <line>`.
    pub head_line_space: bool,
    /// `chead_appends`: AT+HTTPCHEAD appends a repeated name instead of replacing it.
    pub chead_appends: bool,
    /// `status_error_bare`: a status of 400 or more ends AT+HTTPCGET/CPOST/CPUT with a bare
    /// ERROR.
    pub status_error_bare: bool,
    /// `follows_redirects`: AT+HTTPCGET/CPOST/CPUT follow a 301/302/303/307/308 with a
    /// Location, re-using the method, headers and body, up to 10 times.
    pub follows_redirects: bool,
    /// `getsize_url_only`: AT+HTTPGETSIZE takes the URL only (cores before v3.0).
    pub getsize_url_only: bool,
}

/// One profile. `N` is the generated command-name type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecProfile<N: 'static> {
    /// `contract`, `esp-at`, `esp-at-3.1`…
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// Whether the clauses' alternative readings pass under it.
    pub alternatives: bool,
    /// The ESP-AT version it describes, `(major, minor)`.
    pub esp_at_version: Option<(u16, u16)>,
    /// Commands it does not have.
    pub lacks: &'static [N],
    /// Its clause variants.
    pub behaviour: Behaviour,
}

impl<N: PartialEq + Copy> SpecProfile<N> {
    /// Whether the profile has command `name`.
    pub fn has(&self, name: N) -> bool {
        !self.lacks.contains(&name)
    }
}

/// Reads `(major, minor)` from an AT+GMR line `AT version:<major>.<minor>…`; `None` when the
/// line is not one or claims no numeric version.
pub fn at_version(line: &[u8]) -> Option<(u16, u16)> {
    let rest = line.strip_prefix(b"AT version:")?;
    let mut parts = rest.splitn(3, |&b| b == b'.');
    let major = number(parts.next()?)?;
    let minor_field = parts.next()?;
    let end = minor_field
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(minor_field.len());
    let minor = number(&minor_field[..end])?;
    Some((major, minor))
}

fn number(b: &[u8]) -> Option<u16> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::at_version;

    #[test]
    fn reads_the_version_esp_at_prints() {
        assert_eq!(
            at_version(b"AT version:3.1.0.0(e4b1b5d - ESP32C3 - Jun 13 2023)"),
            Some((3, 1))
        );
        assert_eq!(at_version(b"AT version:2.2.0.0"), Some((2, 2)));
        assert_eq!(at_version(b"AT version:4.10"), Some((4, 10)));
        assert_eq!(at_version(b"AT version:atspec 0.1.0"), None);
        assert_eq!(at_version(b"SDK version:v5.0"), None);
        assert_eq!(at_version(b"AT version:3"), None);
    }
}
