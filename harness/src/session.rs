//! Setting up a run: the mock peer, the device link, bring-up. Shared by `certify` and `replay`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::device::{Device, Identity};
use crate::link::{self, DeviceSpec, VirtualBoard};
use crate::mock::{MockOptions, MockPeer, TlsSetup};
use crate::profile::Certs;
use crate::profile::DeviceProfile;
use crate::recovery::Reset;
use crate::runner::{Env, Judges};

/// Options every session takes.
#[derive(Debug, Clone, clap::Args)]
pub struct SessionArgs {
    /// The device: virtual, serial:PATH or serial:PATH@BAUD or /dev/…, tcp:HOST:PORT or
    /// socket://HOST:PORT, rfc2217:HOST:PORT@BAUD or rfc2217://HOST:PORT?ign_set_control,
    /// labgrid:PLACE or labgrid:PLACE@COORDINATOR, qemu:IMAGE (firmware/bare in QEMU virt) or qemu-esp32c3:IMAGE (its ESP32-C3 flavour), probe-rs:CHIP or probe-rs:CHIP:ELF. Repeat
    /// it to certify several devices in one run (checks and fuzzed cases are shared out among
    /// them; default: virtual).
    #[arg(help_heading = "Device", long = "device", value_name = "DEVICE")]
    pub devices: Vec<DeviceSpec>,
    /// Address the mock peer binds (port 0: free ports).
    #[arg(
        help_heading = "Mock peer and TLS",
        long,
        default_value = "127.0.0.1:0",
        value_name = "ADDR"
    )]
    pub mock_bind: SocketAddr,
    /// Address the device is told to reach the mock peer at (default: the bind address).
    #[arg(help_heading = "Mock peer and TLS", long, value_name = "HOST")]
    pub mock_host: Option<String>,
    /// A PKI the device was provisioned with (`atspec pki init DIR`): every TLS trust check
    /// runs against fronts minted from its CA.
    #[arg(help_heading = "Mock peer and TLS", long, value_name = "DIR", conflicts_with_all = ["server_cert", "server_key"])]
    pub pki: Option<PathBuf>,
    /// Server certificate (PEM) the device trusts, for TLS checks on a real device (only the
    /// good front runs; prefer --pki).
    #[arg(
        help_heading = "Mock peer and TLS",
        long,
        value_name = "PEM",
        requires = "server_key"
    )]
    pub server_cert: Option<PathBuf>,
    /// Its private key (PEM).
    #[arg(
        help_heading = "Mock peer and TLS",
        long,
        value_name = "PEM",
        requires = "server_cert"
    )]
    pub server_key: Option<PathBuf>,
    /// Longest wait for one step's answer before the verdict is "hung" (0.5 to 3600 s; it
    /// also bounds a replayed transcript's pauses).
    #[arg(help_heading = "Device", long, default_value = "15", value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: f64,
    /// The link's round trip in milliseconds (0 to 5000), instead of measuring it at bring-up:
    /// every quiet window (how long the harness waits for output that may still come) grows
    /// by one and a half times it. For links with a latency the measurement misses (a remote
    /// farm behind RFC 2217 or LabGrid under load).
    #[arg(help_heading = "Device", long, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=5000))]
    pub latency: Option<u64>,
    /// Do not serve ports 80/443 for AT+HTTPCLIENT's host/path mode (those checks are skipped).
    #[arg(help_heading = "Mock peer and TLS", long)]
    pub no_well_known_ports: bool,
    /// Run a deliberately broken virtual board (builds with the `mutants` feature only).
    #[arg(help_heading = "Virtual board", long, value_name = "NAME", hide = true)]
    pub mutant: Option<String>,
    /// Run the built-in board with a behaviour the spec permits other than its default: it
    /// must stay conformant. `atspec list variants` names them all.
    #[arg(help_heading = "Virtual board", long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Pace the built-in board's UART output like a serial line at this many baud (8N1).
    /// Timing only: verdicts do not change. For a real device, put @BAUD in --device.
    #[arg(help_heading = "Device", long, value_name = "BAUD")]
    pub baud: Option<u32>,
    /// The facts the spec leaves to the device (certificate slots, store limits, TLS), as a
    /// YAML file; the defaults describe the ESP-AT reference firmware (see README).
    #[arg(help_heading = "Evidence", long, value_name = "FILE")]
    pub device_profile: Option<PathBuf>,
    /// A bring-up script (YAML steps: send a line, expect a regex within a timeout; `${NAME}`
    /// from the environment), run after bring-up and after every reset.
    #[arg(help_heading = "Device", long, value_name = "FILE")]
    pub setup: Option<PathBuf>,
    /// How to reset the device in hardware when AT+RST does not bring it back: none,
    /// dtr-rts (esptool's pulse on the serial link), rfc2217 (the same through the port
    /// server) or cmd:'shell command' (a relay, a power switch, a signal).
    #[arg(
        help_heading = "Device",
        long,
        value_name = "METHOD",
        default_value = "none"
    )]
    pub reset: Reset,
    /// The spec profile that decides the verdict: contract (the default), esp-at,
    /// esp-at-X.Y (`atspec list profiles`), or auto: the ESP-AT version AT+GMR reports, or the
    /// nearest lower profile of the same major (the report says so); no version line, or a
    /// version no profile covers, is a setup error naming the known profiles. The report
    /// gives the contract's verdict and the ESP-AT version's side by side.
    #[arg(
        help_heading = "Evidence",
        long,
        default_value = "contract",
        value_name = "PROFILE"
    )]
    pub profile: String,
    /// Start the built-in board as ESP-AT version X.Y (one of the spec's version profiles).
    #[arg(help_heading = "Virtual board", long, value_name = "X.Y")]
    pub esp_at_version: Option<String>,
    /// Certificates the device holds, as CERTS,KEYS,CAS (AT+HTTPCFG's NO … FOUND answers);
    /// overrides the profile's `certificates`.
    #[arg(help_heading = "Evidence", long, value_name = "N,N,N", value_parser = parse_certs)]
    pub certs: Option<Certs>,
    /// The program started as the virtual board with `board ARGS` (default: this executable,
    /// which is `atspec`; a library caller names the `atspec` binary here).
    #[arg(skip)]
    pub board_program: Option<PathBuf>,
}

fn parse_certs(s: &str) -> Result<Certs, String> {
    let v: Vec<i32> = s
        .split(',')
        .map(|x| x.trim().parse::<i32>().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    match v[..] {
        [certs, keys, cas] => Ok(Certs { certs, keys, cas }),
        _ => Err("expected CERTS,KEYS,CAS".into()),
    }
}

/// A running session.
pub struct Session {
    /// Device, mock and model facts.
    pub env: Env,
    /// A loopback port nothing listens on.
    pub closed_port: u16,
    /// The device's identity.
    pub identity: Identity,
    /// How the deciding profile was chosen, for the report.
    pub profile_choice: String,
    pki_dir: Option<PathBuf>,
    /// Holds `closed_port` for the session (bound, never listening).
    _closed: socket2::Socket,
}

/// The step timeout of a session: `--timeout` is checked by its parser, a library caller's
/// value is kept within the same range (never a panic on an infinite or NaN one).
fn step_timeout(seconds: f64) -> Duration {
    let s = if seconds.is_finite() { seconds } else { 15.0 };
    Duration::from_secs_f64(s.clamp(0.5, 3600.0))
}

/// `--timeout`: a finite number of seconds a device can be waited for.
fn parse_timeout(v: &str) -> Result<f64, String> {
    let t: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("`{v}` is not a number of seconds"))?;
    if t.is_finite() && (0.5..=3600.0).contains(&t) {
        Ok(t)
    } else {
        Err(format!("`{v}`: the timeout must be 0.5 to 3600 seconds"))
    }
}

/// The profiles a run is judged by, from `--profile` and what AT+GMR said, and why.
pub fn choose_judges(arg: &str, gmr: &[String]) -> Result<(Judges, String), String> {
    use crate::syntax::device;
    let contract = crate::oracle::contract();
    let claimed = gmr
        .iter()
        .find_map(|l| atspec_rt::profile::at_version(l.as_bytes()).map(|v| (l, v)));
    let detected = claimed.and_then(|(_, v)| device::profile_for_version(v));
    let said = match claimed {
        Some((line, _)) => format!("AT+GMR says `{line}`"),
        None => "AT+GMR claims no ESP-AT version".to_string(),
    };
    let current = crate::oracle::judge("esp-at");
    match arg {
        "auto" => {
            // A claim is judged by the profile of its version, or the nearest lower one within
            // the same major version; anything else (no claim, an older or a newer major) has
            // no profile to stand for it and is a setup error, never a silent guess.
            let known = || {
                device::PROFILES
                    .iter()
                    .filter_map(|p| p.esp_at_version.map(|(a, b)| format!("{a}.{b} ({})", p.id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let Some((_, version)) = claimed else {
                return Err(format!(
                    "--profile auto: {said}, so no version profile can be chosen; pass --profile ID (contract, or a version: {})",
                    known()
                ));
            };
            let Some(primary) = detected.filter(|p| {
                p.esp_at_version
                    .is_some_and(|(major, _)| major == version.0)
            }) else {
                return Err(format!(
                    "--profile auto: {said}, ESP-AT {}.{}, which no version profile covers (known: {}); pass --profile ID",
                    version.0,
                    version.1,
                    known()
                ));
            };
            let second = Some(contract);
            let why = match primary.esp_at_version {
                Some(v) if v != version => format!(
                    "auto: {said} → {} (the nearest lower version profile: {}.{} has none of its own)",
                    primary.id, version.0, version.1
                ),
                _ => format!("auto: {said} → {}", primary.id),
            };
            Ok((Judges { primary, second }, why))
        }
        id => {
            let Some(primary) = crate::oracle::judge(id) else {
                let ids: Vec<&str> = device::PROFILES.iter().map(|p| p.id).collect();
                return Err(format!(
                    "unknown profile `{id}`; known: {}, auto",
                    ids.join(", ")
                ));
            };
            let second = if std::ptr::eq(primary, contract) {
                detected.or(current)
            } else {
                Some(contract)
            };
            let why = format!(
                "{} ({}); compared with {} ({said})",
                primary.id,
                if id == "contract" {
                    "--profile default"
                } else {
                    "--profile"
                },
                second.map_or("nothing", |j| j.id)
            );
            Ok((Judges { primary, second }, why))
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(d) = &self.pki_dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// A loopback port nothing listens on, reserved for the whole session: a bound socket that
/// never listens refuses every connection (the kernel answers RST), and no other server can
/// bind the port meanwhile. (A port only found free and released can be taken by a mock peer
/// of another run on the same machine, which then answers what must be refused.)
fn closed_port(ip: std::net::IpAddr) -> Result<(u16, socket2::Socket), String> {
    let fail = |e: std::io::Error| format!("cannot reserve a closed port: {e}");
    let domain = socket2::Domain::for_address(SocketAddr::new(ip, 0));
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, None).map_err(fail)?;
    socket.bind(&SocketAddr::new(ip, 0).into()).map_err(fail)?;
    let port = socket
        .local_addr()
        .map_err(fail)?
        .as_socket()
        .map(|a| a.port())
        .ok_or_else(|| "cannot reserve a closed port: no socket address".to_string())?;
    Ok((port, socket))
}

impl SessionArgs {
    /// Session options from the CLI's spelling of them (`["--device", "tcp:h:p"]`), for
    /// library callers; the error is clap's message.
    pub fn from_args<I, S>(args: I) -> Result<SessionArgs, String>
    where
        I: IntoIterator<Item = S>,
        S: Into<std::ffi::OsString> + Clone,
    {
        #[derive(clap::Parser)]
        struct Wrap {
            #[command(flatten)]
            session: SessionArgs,
        }
        let argv = std::iter::once(std::ffi::OsString::from("atspec"))
            .chain(args.into_iter().map(Into::into));
        <Wrap as clap::Parser>::try_parse_from(argv)
            .map(|w| w.session)
            .map_err(|e| e.to_string())
    }

    /// The devices asked for (`virtual` when none).
    pub fn device_list(&self) -> Vec<DeviceSpec> {
        if self.devices.is_empty() {
            vec![DeviceSpec::Virtual]
        } else {
            self.devices.clone()
        }
    }
}

/// Starts the mock peer and the first device and brings it up.
pub fn start(a: &SessionArgs) -> Result<Session, String> {
    start_device(a, &a.device_list()[0], None)
}

/// Starts a mock peer of its own and `device`, logging its UART to `uart_log` when given,
/// and brings it up.
pub fn start_device(
    a: &SessionArgs,
    device: &DeviceSpec,
    uart_log: Option<&std::path::Path>,
) -> Result<Session, String> {
    let virtual_board = *device == DeviceSpec::Virtual;
    if a.mutant.is_some() && !virtual_board {
        return Err("--mutant applies to the virtual board only".into());
    }
    if a.variant.is_some() && !virtual_board {
        return Err("--variant applies to the virtual board only".into());
    }
    if let Some(v) = &a.variant
        && !atspec_board::variant_names().contains(&v.as_str())
    {
        return Err(format!(
            "unknown variant `{v}`; known: {}",
            atspec_board::variant_names().join(", ")
        ));
    }
    if a.esp_at_version.is_some() && !virtual_board {
        return Err("--esp-at-version starts the built-in board as that version; a real device reports its own (use --profile auto)".into());
    }
    if let Some(v) = &a.esp_at_version {
        atspec_board::version_profile(v)?;
    }
    if a.baud.is_some() && !virtual_board {
        return Err(
            "--baud paces the built-in virtual board only; for a real device give the rate in --device (serial:PATH@BAUD, rfc2217:HOST:PORT@BAUD)"
                .into(),
        );
    }
    if a.baud == Some(0) {
        return Err("--baud must be above 0 (leave it out for an unpaced board)".into());
    }
    let mut profile = match &a.device_profile {
        Some(f) => crate::profile::load(f)?,
        None if virtual_board => DeviceProfile::virtual_board(),
        None => DeviceProfile::default(),
    };
    if let Some(c) = a.certs {
        profile.certificates = c;
    }
    let tls = match (&a.server_cert, &a.server_key, virtual_board) {
        _ if a.pki.is_some() => TlsSetup::Provisioned(a.pki.clone().unwrap_or_default()),
        (Some(cert), Some(key), _) => TlsSetup::UserSupplied {
            cert: cert.clone(),
            key: key.clone(),
        },
        (_, _, true) => TlsSetup::Generated,
        // A device that declares no TLS is still offered a TLS server (self-signed, which a
        // TLS device in mode 0 accepts): its class is exercised, never taken on trust.
        _ if !profile.tls => TlsSetup::Generated,
        _ => TlsSetup::None,
    };
    let qemu_image = match device {
        DeviceSpec::Qemu { machine, image } => Some((*machine, image.clone())),
        _ => None,
    };
    // A QEMU guest reaches the mock through its user network's forwards.
    let host = a.mock_host.clone().unwrap_or_else(|| {
        if qemu_image.is_some() {
            link::GUEST_MOCK.to_string()
        } else {
            a.mock_bind.ip().to_string()
        }
    });
    let mock = MockPeer::start(&MockOptions {
        bind: a.mock_bind,
        host,
        tls,
        well_known: !a.no_well_known_ports,
    })?;
    let mut pki_dir = None;
    let (closed_port, closed) = closed_port(a.mock_bind.ip())?;
    let link: Box<dyn link::Link> = if let Some((machine, image)) = &qemu_image {
        // Every endpoint is forwarded, the closed port too: a connection to it then fails
        // at once, as on a real network, instead of timing out in the restricted one.
        let mut ports: Vec<u16> = mock.world().servers.iter().map(|(p, _)| *p).collect();
        ports.push(closed_port);
        Box::new(link::QemuLink::start(
            *machine,
            image,
            &ports,
            a.mock_bind.ip(),
        )?)
    } else if virtual_board {
        let dir = std::env::temp_dir().join(format!(
            "atspec-pki-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        if let Some(p) = &mock.pki {
            p.write_board_dir(&dir)
                .map_err(|e| format!("writing {}: {e}", dir.display()))?;
        }
        pki_dir = Some(dir.clone());
        let exe = match &a.board_program {
            Some(p) => p.clone(),
            None => std::env::current_exe()
                .map_err(|e| format!("cannot find the atspec executable: {e}"))?,
        };
        Box::new(VirtualBoard::start(
            &exe,
            Some(&dir),
            a.mutant.as_deref(),
            a.variant.as_deref(),
            a.esp_at_version.as_deref(),
            a.baud.unwrap_or(0),
        )?)
    } else {
        link::open(device)?
    };
    let link: Box<dyn link::Link> = match uart_log {
        Some(p) => Box::new(link::LoggedLink::new(link, p)?),
        None => link,
    };
    let setup = match &a.setup {
        Some(f) => crate::recovery::load_setup(f, &|name| std::env::var(name).ok())?,
        None => crate::recovery::Setup::default(),
    };
    let mut device = Device::new(link, step_timeout(a.timeout))
        .with_recovery(a.reset.clone(), setup)
        .with_latency(a.latency.map(Duration::from_millis));
    let mut identity = device.bring_up()?;
    identity.profile = Some(profile);
    let (judges, profile_choice) = choose_judges(&a.profile, &identity.version)?;
    Ok(Session {
        env: Env {
            device,
            mock,
            profile,
            judges,
            redirects: Default::default(),
        },
        closed_port,
        identity,
        profile_choice,
        pki_dir,
        _closed: closed,
    })
}

impl Default for SessionArgs {
    /// The CLI's defaults: the virtual board, the contract profile, a mock peer on free ports.
    fn default() -> Self {
        SessionArgs::from_args(std::iter::empty::<&str>())
            .expect("every session option has a default")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_finite_and_bounded() {
        assert_eq!(parse_timeout("15"), Ok(15.0));
        for bad in ["inf", "1e20", "NaN", "-1", "0.1", "x"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert_eq!(step_timeout(f64::INFINITY), Duration::from_secs(15));
        assert_eq!(step_timeout(1e20), Duration::from_secs(3600));
    }

    /// `--profile auto`: a claimed version picks its profile or the nearest lower one of the
    /// same major, and says so; no claim, or a version no profile covers, is a setup error
    /// naming the known profiles, never a silent guess.
    #[test]
    fn auto_maps_a_claim_to_a_profile_or_refuses() {
        let gmr = |v: &str| vec![format!("AT version:{v}(x)"), "SDK version:v5".to_string()];
        let (j, why) = choose_judges("auto", &gmr("3.1.0.0")).unwrap();
        assert_eq!(j.primary.id, "esp-at-3.1");
        assert!(!why.contains("nearest"), "{why}");
        let (j, why) = choose_judges("auto", &gmr("3.2.0.0")).unwrap();
        assert_eq!(j.primary.id, "esp-at-3.1");
        assert!(why.contains("nearest lower version profile"), "{why}");
        assert_eq!(j.second.map(|s| s.id), Some("contract"));
        for (lines, says) in [
            (
                gmr("9.9.0.0"),
                "ESP-AT 9.9, which no version profile covers",
            ),
            (
                gmr("2.1.0.0"),
                "ESP-AT 2.1, which no version profile covers",
            ),
            (
                vec!["AT version:atspec".to_string()],
                "AT+GMR claims no ESP-AT version",
            ),
            (Vec::new(), "AT+GMR claims no ESP-AT version"),
        ] {
            let e = choose_judges("auto", &lines).map(|_| ()).unwrap_err();
            assert!(e.contains(says), "{lines:?}: {e}");
            assert!(
                e.contains("2.2 (esp-at-2.2)") && e.contains("4.1 (esp-at-4.1)"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_closed_port_refuses_connections_and_stays_reserved() {
        let ip: std::net::IpAddr = [127, 0, 0, 1].into();
        let (port, held) = closed_port(ip).expect("a port");
        // Refused at once (RST), not accepted and not timed out.
        let err = std::net::TcpStream::connect_timeout(
            &SocketAddr::new(ip, port),
            Duration::from_secs(2),
        )
        .expect_err("nothing listens there");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
        // No server can take it while the session holds it…
        assert!(std::net::TcpListener::bind((ip, port)).is_err());
        // …and it is free again once the session ends.
        drop(held);
        assert!(std::net::TcpListener::bind((ip, port)).is_ok());
    }
}
