//! A LabGrid place as a link: `labgrid-client` acquires the place, its environment names the
//! place's `NetworkSerialPort` (host, port, speed, protocol), the existing RFC 2217 or raw TCP
//! link connects to it, and the place is released when the link is dropped — at the end of a
//! run, on a setup error and on a panic alike.
//!
//! The client is `labgrid-client` from `PATH`, or `ATSPEC_LABGRID_CLIENT` (a virtualenv's
//! `bin/labgrid-client`). The coordinator is `@COORDINATOR` from the device spec, else
//! labgrid's own default (`LG_COORDINATOR`, then 127.0.0.1:20408).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use super::pipe::Link;
use super::rfc2217::Rfc2217Link;
use super::tcp::TcpLink;

/// An acquired place and the link to its serial port.
pub struct LabgridLink {
    place: String,
    coordinator: Option<String>,
    client: PathBuf,
    port: SerialPort,
    inner: Box<dyn Link>,
}

/// A `NetworkSerialPort` as `labgrid-client env` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SerialPort {
    /// Exporter host.
    pub host: String,
    /// The port ser2net serves it on.
    pub port: u16,
    /// Baud rate.
    #[serde(default = "default_speed")]
    pub speed: u32,
    /// `rfc2217` (labgrid's default) or `raw`.
    #[serde(default = "default_protocol")]
    pub protocol: String,
}

fn default_speed() -> u32 {
    115_200
}

fn default_protocol() -> String {
    "rfc2217".into()
}

#[derive(Debug, Deserialize)]
struct Env {
    targets: BTreeMap<String, Target>,
}

#[derive(Debug, Deserialize)]
struct Target {
    #[serde(default)]
    resources: Vec<Resource>,
}

/// One resource entry: a map from the resource class to its parameters; only serial ports
/// matter here.
#[derive(Debug, Deserialize)]
struct Resource {
    #[serde(rename = "NetworkSerialPort", default)]
    serial: Option<SerialPort>,
}

/// The first `NetworkSerialPort` of `place` in the output of `labgrid-client env`.
pub fn serial_port(env_yaml: &str, place: &str) -> Result<SerialPort, String> {
    let env: Env = serde_saphyr::from_str(env_yaml)
        .map_err(|e| format!("labgrid environment of `{place}`: {e}"))?;
    let target = env
        .targets
        .get(place)
        .or_else(|| env.targets.values().next())
        .ok_or_else(|| format!("labgrid place `{place}` has no target in its environment"))?;
    if let Some(p) = target.resources.iter().find_map(|r| r.serial.clone()) {
        return Ok(p);
    }
    Err(format!(
        "labgrid place `{place}` has no NetworkSerialPort (add a match for an exporter's RawSerialPort or USBSerialPort)"
    ))
}

impl LabgridLink {
    /// Acquires `place` and connects to its serial port; releases it again if that fails.
    pub fn acquire(place: &str, coordinator: Option<&str>) -> Result<LabgridLink, String> {
        let client = std::env::var_os("ATSPEC_LABGRID_CLIENT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("labgrid-client"));
        let run = |args: &[&str]| client_run(&client, coordinator, place, args);
        run(&["acquire"]).map_err(|e| format!("labgrid: cannot acquire `{place}`: {e}"))?;
        let connected = run(&["env"]).and_then(|yaml| {
            let port = serial_port(&yaml, place)?;
            let addr = format!("{}:{}", port.host, port.port);
            let inner: Box<dyn Link> = match port.protocol.as_str() {
                "rfc2217" => Box::new(Rfc2217Link::open(&addr, port.speed)?),
                "raw" => Box::new(TcpLink::open(&addr)?),
                p => return Err(format!("labgrid place `{place}`: unknown protocol `{p}`")),
            };
            Ok((port, inner))
        });
        match connected {
            Ok((port, inner)) => Ok(LabgridLink {
                place: place.into(),
                coordinator: coordinator.map(String::from),
                client,
                port,
                inner,
            }),
            Err(e) => {
                let _ = run(&["release"]);
                Err(e)
            }
        }
    }
}

/// Runs `labgrid-client [-x COORDINATOR] -p PLACE ARGS`; its stdout, or why it failed.
fn client_run(
    client: &PathBuf,
    coordinator: Option<&str>,
    place: &str,
    args: &[&str],
) -> Result<String, String> {
    let mut cmd = Command::new(client);
    if let Some(c) = coordinator {
        cmd.args(["-x", c]);
    }
    cmd.args(["-p", place]).args(args);
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot run {} ({e}); install labgrid (pip install labgrid) or set ATSPEC_LABGRID_CLIENT",
            client.display()
        )
    })?;
    if !out.status.success() {
        return Err(format!(
            "`labgrid-client -p {place} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Drop for LabgridLink {
    fn drop(&mut self) {
        if let Err(e) = client_run(
            &self.client,
            self.coordinator.as_deref(),
            &self.place,
            &["release"],
        ) {
            eprintln!("atspec: labgrid: {e}");
        }
    }
}

impl Link for LabgridLink {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(bytes)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        self.inner.read(buf, timeout)
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        self.inner.reopen()
    }

    fn describe(&self) -> String {
        format!(
            "labgrid place {} ({} {}:{} at {} baud)",
            self.place, self.port.protocol, self.port.host, self.port.port, self.port.speed
        )
    }

    fn set_lines(&mut self, dtr: bool, rts: bool) -> std::io::Result<()> {
        self.inner.set_lines(dtr, rts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_serial_port_from_labgrid_env_output() {
        // As labgrid-client 26 prints it for a RawSerialPort exported through ser2net.
        let yaml = "targets:\n  dut1:\n    resources:\n    - NetworkSerialPort:\n        name: RawSerialPort\n        port: 34619\n        speed: 115200\n        host: 127.0.0.1\n";
        assert_eq!(
            serial_port(yaml, "dut1").unwrap(),
            SerialPort {
                host: "127.0.0.1".into(),
                port: 34619,
                speed: 115_200,
                protocol: "rfc2217".into()
            }
        );
        let raw = "targets:\n  p:\n    resources:\n    - RemotePlace: {name: p}\n    - NetworkSerialPort: {host: h, port: 5, protocol: raw}\n";
        let p = serial_port(raw, "p").unwrap();
        assert_eq!((p.protocol.as_str(), p.speed), ("raw", 115_200));
        let none = "targets:\n  p:\n    resources:\n    - RemotePlace: {name: p}\n";
        assert!(
            serial_port(none, "p")
                .unwrap_err()
                .contains("no NetworkSerialPort")
        );
    }
}
