//! Getting a real device back: bring-up scripts (`--setup FILE`) and hardware resets
//! (`--reset METHOD`).
//!
//! A module on a bench or in a farm must join Wi-Fi before any HTTP command can reach the mock
//! peer, and must do so again after every reset; a module stuck in a data prompt swallows
//! `AT+RST` and comes back only through its reset line. Recovery escalates
//! drain → `AT` → `AT+RST` → hardware reset → reopened link, runs the setup script after each
//! reset, and says which step brought the device back.
//!
//! A setup file is YAML:
//!
//! ```yaml
//! # runs after bring-up and after every reset
//! steps:
//!   - send: AT+CWMODE=1                    # expect defaults to OK, timeout to 5 s
//!   - send: AT+CWJAP="${WIFI_SSID}","${WIFI_PASSWORD}"
//!     expect: "WIFI GOT IP"                # a regular expression over the answer
//!     timeout: 20
//! ```
//!
//! `${NAME}` takes the environment variable NAME (a missing one is a setup error), so secrets
//! stay out of files; reports show the step as written, never the expanded value.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// How the harness resets a device in hardware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reset {
    /// No hardware reset: recovery ends with reopening the link.
    None,
    /// esptool's reset pulse on a serial link's modem-control lines (RTS on EN, DTR on IO0).
    DtrRts,
    /// The same pulse through RFC 2217 COM-PORT-OPTION SET-CONTROL.
    Rfc2217,
    /// A shell command (a relay, a power switch, a signal to a process).
    Cmd(String),
    /// A probe-rs reset (feature `probe`): of the probe link's own chip, or of `CHIP` through
    /// a probe attached beside a serial link.
    Probe(Option<String>),
}

impl std::str::FromStr for Reset {
    type Err = String;

    fn from_str(s: &str) -> Result<Reset, String> {
        match s {
            "none" => Ok(Reset::None),
            "dtr-rts" => Ok(Reset::DtrRts),
            "rfc2217" => Ok(Reset::Rfc2217),
            "probe" if cfg!(feature = "probe") => Ok(Reset::Probe(None)),
            _ if s == "probe" || s.starts_with("probe:") => {
                if !cfg!(feature = "probe") {
                    return Err(
                        "--reset probe needs the `probe` feature: cargo build --release -p atspec --features probe"
                            .into(),
                    );
                }
                match s.strip_prefix("probe:") {
                    Some(chip) if !chip.trim().is_empty() => {
                        Ok(Reset::Probe(Some(chip.trim().to_string())))
                    }
                    _ => Err(format!("`{s}`: expected probe or probe:CHIP")),
                }
            }
            _ => match s.strip_prefix("cmd:") {
                Some(c) if !c.trim().is_empty() => Ok(Reset::Cmd(c.to_string())),
                _ => Err(format!(
                    "unknown reset `{s}`: expected none, dtr-rts, rfc2217, probe[:CHIP] or cmd:'shell command'"
                )),
            },
        }
    }
}

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reset::None => write!(f, "none"),
            Reset::DtrRts => write!(f, "dtr-rts"),
            Reset::Rfc2217 => write!(f, "rfc2217"),
            Reset::Cmd(c) => write!(f, "cmd:{c}"),
            Reset::Probe(None) => write!(f, "probe"),
            Reset::Probe(Some(chip)) => write!(f, "probe:{chip}"),
        }
    }
}

/// Pulses the reset line of `link`, or runs the reset command. The device then restarts.
pub fn hardware_reset(reset: &Reset, link: &mut dyn crate::link::Link) -> Result<(), String> {
    match reset {
        Reset::None => Err("no hardware reset configured (--reset)".into()),
        Reset::DtrRts | Reset::Rfc2217 => {
            // EN low (RTS on) with IO0 high (DTR off), then EN released: a plain restart.
            link.set_lines(false, true)
                .map_err(|e| format!("{reset}: {e} (not supported on this link)"))?;
            std::thread::sleep(Duration::from_millis(100));
            link.set_lines(false, false)
                .map_err(|e| format!("{reset}: {e}"))
        }
        Reset::Probe(None) => link
            .hardware_reset()
            .map_err(|e| format!("probe reset: {e} (give the chip: --reset probe:CHIP)")),
        Reset::Probe(Some(chip)) => crate::link::probe_reset(chip),
        Reset::Cmd(c) => {
            let mut child = std::process::Command::new("sh")
                .args(["-c", c])
                .stdin(std::process::Stdio::null())
                .spawn()
                .map_err(|e| format!("reset command `{c}`: {e}"))?;
            let start = std::time::Instant::now();
            loop {
                match child.try_wait() {
                    Ok(Some(s)) if s.success() => return Ok(()),
                    Ok(Some(s)) => return Err(format!("reset command `{c}` failed: {s}")),
                    Ok(None) if start.elapsed() > Duration::from_secs(30) => {
                        let _ = child.kill();
                        return Err(format!("reset command `{c}` did not finish in 30 s"));
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                    Err(e) => return Err(format!("reset command `{c}`: {e}")),
                }
            }
        }
    }
}

/// One step of a setup script.
#[derive(Debug, Clone)]
pub struct SetupStep {
    /// The line as written (with `${NAME}` references), for reports.
    pub shown: String,
    /// The line as sent.
    pub send: String,
    /// What the answer must match.
    pub expect: regex::Regex,
    /// How long to wait for it.
    pub timeout: Duration,
}

/// A bring-up script.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Its steps.
    pub steps: Vec<SetupStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupFile {
    steps: Vec<Spanned<StepFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    send: String,
    #[serde(default)]
    expect: Option<String>,
    #[serde(default)]
    timeout: Option<f64>,
}

/// The largest setup script read.
pub const SETUP_MAX: u64 = 256 * 1024;

/// Reads a setup script, expanding `${NAME}` from `env`; errors are `file:line:col: error: …`.
pub fn load_setup(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Setup, String> {
    let file = path.display().to_string();
    let text = crate::files::read_input(path, SETUP_MAX, "setup script")?;
    let f: SetupFile = serde_saphyr::from_str(&text)
        .map_err(|e| atspec_spec::yaml_diagnostic(&file, &e).to_string())?;
    let mut errors = Vec::new();
    let mut steps = Vec::new();
    for s in &f.steps {
        let at = format!("{file}:{}:{}", s.referenced.line(), s.referenced.column());
        let step = &s.value;
        let send = match expand(&step.send, env) {
            Ok(v) => v,
            Err(e) => {
                errors.push(format!("{at}: error: {e}"));
                continue;
            }
        };
        let pattern = step.expect.clone().unwrap_or_else(|| "OK".into());
        let expect = match regex::Regex::new(&pattern) {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!(
                    "{at}: error: expect is not a regular expression: {e}"
                ));
                continue;
            }
        };
        let timeout = step.timeout.unwrap_or(5.0);
        if !(0.0..=600.0).contains(&timeout) {
            errors.push(format!("{at}: error: timeout must be 0..=600 seconds"));
            continue;
        }
        steps.push(SetupStep {
            shown: step.send.clone(),
            send,
            expect,
            timeout: Duration::from_secs_f64(timeout),
        });
    }
    if errors.is_empty() {
        Ok(Setup { steps })
    } else {
        Err(errors.join("\n"))
    }
}

/// Replaces every `${NAME}` with the variable's value.
fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            return Err(format!("unclosed `${{` in `{text}`"));
        };
        let name = &rest[i + 2..i + j];
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!("`${{{name}}}` is not a variable name"));
        }
        match env(name) {
            Some(v) => {
                // Every value from the environment is a secret: masked in every output.
                if let Err(why) = crate::secrets::register(name, &v) {
                    eprintln!("atspec: warning: {why}");
                }
                out.push_str(&v)
            }
            None => return Err(format!("environment variable {name} is not set")),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "SSID").then(|| "lab-net".to_string())
    }

    #[test]
    fn variables_expand_and_missing_ones_are_errors() {
        assert_eq!(
            expand("AT+CWJAP=\"${SSID}\"", &env).unwrap(),
            "AT+CWJAP=\"lab-net\""
        );
        assert_eq!(expand("no vars", &env).unwrap(), "no vars");
        assert!(
            expand("${NOPE}", &env)
                .unwrap_err()
                .contains("NOPE is not set")
        );
        assert!(expand("${SSID", &env).unwrap_err().contains("unclosed"));
        assert!(
            expand("${A-B}", &env)
                .unwrap_err()
                .contains("not a variable")
        );
    }

    #[test]
    fn resets_parse() {
        assert_eq!("none".parse::<Reset>().unwrap(), Reset::None);
        assert_eq!("dtr-rts".parse::<Reset>().unwrap(), Reset::DtrRts);
        assert_eq!(
            "cmd:kill -USR1 7".parse::<Reset>().unwrap(),
            Reset::Cmd("kill -USR1 7".into())
        );
        assert!("cmd:".parse::<Reset>().is_err());
        assert!(
            "power"
                .parse::<Reset>()
                .unwrap_err()
                .contains("expected none")
        );
        // A probe reset: only with the `probe` feature, and then of the link's chip or a
        // named one.
        if cfg!(feature = "probe") {
            assert_eq!("probe".parse::<Reset>().unwrap(), Reset::Probe(None));
            assert_eq!(
                "probe:esp32c3".parse::<Reset>().unwrap(),
                Reset::Probe(Some("esp32c3".into()))
            );
            assert_eq!(
                Reset::Probe(Some("esp32c3".into())).to_string(),
                "probe:esp32c3"
            );
        } else {
            for s in ["probe", "probe:esp32c3"] {
                assert!(
                    s.parse::<Reset>().unwrap_err().contains("`probe` feature"),
                    "{s}"
                );
            }
        }
    }

    #[test]
    fn a_setup_file_reads_and_its_errors_have_positions() {
        let dir = std::env::temp_dir().join(format!("atspec-setup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.yaml");
        std::fs::write(
            &good,
            "steps:\n  - send: AT\n  - send: AT+CWJAP=\"${SSID}\"\n    expect: GOT IP\n    timeout: 20\n",
        )
        .unwrap();
        let s = load_setup(&good, &env).unwrap();
        assert_eq!(s.steps.len(), 2);
        assert_eq!(s.steps[1].send, "AT+CWJAP=\"lab-net\"");
        assert_eq!(s.steps[1].shown, "AT+CWJAP=\"${SSID}\"");
        assert!(s.steps[0].expect.is_match("\r\nOK\r\n"));
        let bad = dir.join("bad.yaml");
        std::fs::write(&bad, "steps:\n  - send: AT\n  - send: AT+X=${GONE}\n").unwrap();
        let e = load_setup(&bad, &env).unwrap_err();
        assert!(
            e.starts_with(&format!("{}:3:5: error:", bad.display())),
            "{e}"
        );
        assert!(e.contains("GONE is not set"), "{e}");
        std::fs::write(&bad, "steps:\n  - sned: AT\n").unwrap();
        let e = load_setup(&bad, &env).unwrap_err();
        assert!(e.starts_with(&format!("{}:2:", bad.display())), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
