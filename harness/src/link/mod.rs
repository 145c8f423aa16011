//! Links: how the harness reaches a device's AT channel.
//!
//! `--device` picks one: `virtual` (the built-in board behind a pseudo-terminal),
//! `serial:PATH[@BAUD]`, `tcp:HOST:PORT` (ser2net raw mode, a QEMU chardev),
//! `rfc2217:HOST:PORT[@BAUD]` (a farm board exported with RFC 2217),
//! `labgrid:PLACE[@COORDINATOR]` (a LabGrid place's network serial port) or, with the
//! `probe` feature, `probe-rs:CHIP[:ELF]` (RTT channel 0). pyserial's URL spellings are
//! accepted too: `/dev/tty…[@BAUD]`, `socket://HOST:PORT`, `rfc2217://HOST:PORT[?OPTIONS]`.

mod board;
mod elf;
mod labgrid;
mod log;
mod pipe;
#[cfg(feature = "probe")]
mod probe;
mod qemu;
mod rfc2217;
pub mod serial;
mod tcp;

use std::path::PathBuf;

pub use board::VirtualBoard;
pub use log::LoggedLink;
pub use pipe::{Firmware, Link};
pub use qemu::{GUEST_MOCK, Machine, QemuLink};

/// Resets `chip` through the first debug probe found (beside a serial link).
#[cfg(feature = "probe")]
pub fn probe_reset(chip: &str) -> Result<(), String> {
    probe::reset(chip)
}

/// Resets `chip` through a debug probe: needs the `probe` feature.
#[cfg(not(feature = "probe"))]
pub fn probe_reset(chip: &str) -> Result<(), String> {
    Err(format!(
        "resetting {chip} through a probe needs the `probe` feature"
    ))
}

/// A parsed `--device` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// The built-in virtual board.
    Virtual,
    /// A serial port.
    Serial {
        /// Port path.
        path: String,
        /// Baud rate.
        baud: u32,
    },
    /// A raw TCP serial bridge.
    Tcp {
        /// `host:port`.
        addr: String,
    },
    /// A serial port exported over RFC 2217.
    Rfc2217 {
        /// `host:port`.
        addr: String,
        /// Baud rate to set.
        baud: u32,
    },
    /// A LabGrid place: acquired, its `NetworkSerialPort` used, released at the end.
    Labgrid {
        /// The place name.
        place: String,
        /// `host:port` of the coordinator (default: `LG_COORDINATOR` or labgrid's default).
        coordinator: Option<String>,
    },
    /// A bare-metal image booted in QEMU (`firmware/bare/`).
    Qemu {
        /// `virt`, or Espressif's `esp32c3`.
        machine: Machine,
        /// The ELF image (for `esp32c3`, its flash image is beside it).
        image: PathBuf,
    },
    /// A probe-rs RTT channel.
    Probe {
        /// Target chip name.
        chip: String,
        /// Image to flash first.
        elf: Option<PathBuf>,
    },
}

impl std::str::FromStr for DeviceSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "virtual" {
            return Ok(DeviceSpec::Virtual);
        }
        // pyserial's URL forms.
        if let Some(addr) = s.strip_prefix("socket://") {
            return format!("tcp:{addr}").parse();
        }
        if let Some(rest) = s.strip_prefix("rfc2217://") {
            let (addr, query) = rest.split_once('?').unwrap_or((rest, ""));
            let mut baud = 115_200;
            for opt in query.split('&').filter(|o| !o.is_empty()) {
                match opt.split_once('=') {
                    // Our client never waits for SET-CONTROL answers, so a port server that
                    // does not send them (ser2net on a pty) is always fine.
                    None if opt == "ign_set_control" || opt == "poll_modem" => {}
                    Some(("timeout" | "logging", _)) => {}
                    Some(("baudrate", b)) => {
                        baud = b
                            .parse()
                            .map_err(|_| format!("bad baud rate `{b}` in `{s}`"))?
                    }
                    _ => {
                        return Err(format!(
                            "`{s}`: unknown rfc2217 option `{opt}` (known: ign_set_control, poll_modem, timeout=, logging=, baudrate=)"
                        ));
                    }
                }
            }
            return format!("rfc2217:{addr}@{baud}").parse();
        }
        if s.starts_with('/') {
            return format!("serial:{s}").parse();
        }
        for (prefix, machine) in [
            ("qemu:", Machine::Virt),
            ("qemu-esp32c3:", Machine::Esp32c3),
        ] {
            if let Some(image) = s.strip_prefix(prefix) {
                if image.is_empty() {
                    return Err(format!(
                        "`{prefix}`: expected {prefix}IMAGE (an ELF built in firmware/bare)"
                    ));
                }
                return Ok(DeviceSpec::Qemu {
                    machine,
                    image: image.into(),
                });
            }
        }
        if let Some(rest) = s.strip_prefix("labgrid:") {
            let (place, coordinator) = match rest.split_once('@') {
                Some((p, c)) => (p, Some(c.to_string())),
                None => (rest, None),
            };
            if place.is_empty() {
                return Err(format!("`{s}`: expected labgrid:PLACE[@COORDINATOR]"));
            }
            return Ok(DeviceSpec::Labgrid {
                place: place.into(),
                coordinator,
            });
        }
        if let Some(rest) = s.strip_prefix("serial:") {
            let (path, baud) = match rest.rsplit_once('@') {
                Some((p, b)) => (
                    p,
                    b.parse()
                        .map_err(|_| format!("bad baud rate `{b}` in `{s}`"))?,
                ),
                None => (rest, 115_200),
            };
            if path.is_empty() {
                return Err(format!("`{s}`: the serial port path is empty"));
            }
            return Ok(DeviceSpec::Serial {
                path: path.into(),
                baud,
            });
        }
        if let Some(addr) = s.strip_prefix("tcp:") {
            if !addr.contains(':') {
                return Err(format!("`{s}`: expected tcp:HOST:PORT"));
            }
            return Ok(DeviceSpec::Tcp { addr: addr.into() });
        }
        if let Some(rest) = s.strip_prefix("rfc2217:") {
            let (addr, baud) = match rest.rsplit_once('@') {
                Some((a, b)) => (
                    a,
                    b.parse()
                        .map_err(|_| format!("bad baud rate `{b}` in `{s}`"))?,
                ),
                None => (rest, 115_200),
            };
            if !addr.contains(':') {
                return Err(format!("`{s}`: expected rfc2217:HOST:PORT[@BAUD]"));
            }
            return Ok(DeviceSpec::Rfc2217 {
                addr: addr.into(),
                baud,
            });
        }
        if let Some(rest) = s.strip_prefix("probe-rs:") {
            let (chip, elf) = match rest.split_once(':') {
                Some((c, e)) => (c, Some(PathBuf::from(e))),
                None => (rest, None),
            };
            if chip.is_empty() {
                return Err(format!("`{s}`: expected probe-rs:CHIP[:ELF]"));
            }
            return Ok(DeviceSpec::Probe {
                chip: chip.into(),
                elf,
            });
        }
        Err(format!(
            "unknown device `{s}`: expected virtual, serial:PATH[@BAUD] (or /dev/…), tcp:HOST:PORT (or socket://HOST:PORT), rfc2217:HOST:PORT[@BAUD] (or rfc2217://HOST:PORT[?ign_set_control]), labgrid:PLACE[@COORDINATOR], qemu:IMAGE, qemu-esp32c3:IMAGE or probe-rs:CHIP[:ELF]"
        ))
    }
}

/// Opens a link to a real device (the virtual board is started by [`VirtualBoard`]).
pub fn open(spec: &DeviceSpec) -> Result<Box<dyn Link>, String> {
    match spec {
        DeviceSpec::Virtual => Err("the virtual board is started with VirtualBoard::start".into()),
        DeviceSpec::Qemu { .. } => Err("a QEMU image is started with QemuLink::start".into()),
        DeviceSpec::Serial { path, baud } => Ok(Box::new(serial::SerialLink::open(path, *baud)?)),
        DeviceSpec::Tcp { addr } => Ok(Box::new(tcp::TcpLink::open(addr)?)),
        DeviceSpec::Rfc2217 { addr, baud } => Ok(Box::new(rfc2217::Rfc2217Link::open(addr, *baud)?)),
        DeviceSpec::Labgrid { place, coordinator } => {
            Ok(Box::new(labgrid::LabgridLink::acquire(place, coordinator.as_deref())?))
        }
        #[cfg(feature = "probe")]
        DeviceSpec::Probe { chip, elf } => Ok(Box::new(probe::ProbeLink::open(chip, elf.as_deref())?)),
        #[cfg(not(feature = "probe"))]
        DeviceSpec::Probe { .. } => Err(
            "probe-rs links need the `probe` feature: cargo run --release -p atspec --features probe -- certify --device probe-rs:CHIP".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_specs() {
        assert_eq!("virtual".parse::<DeviceSpec>(), Ok(DeviceSpec::Virtual));
        assert_eq!(
            "serial:/dev/ttyUSB0@921600".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 921_600
            })
        );
        assert_eq!(
            "serial:/dev/ttyS1".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Serial {
                path: "/dev/ttyS1".into(),
                baud: 115_200
            })
        );
        assert_eq!(
            "tcp:farm:3001".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Tcp {
                addr: "farm:3001".into()
            })
        );
        assert_eq!(
            "probe-rs:esp32c3:fw.elf".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Probe {
                chip: "esp32c3".into(),
                elf: Some("fw.elf".into())
            })
        );
        assert_eq!(
            "rfc2217:farm:4001@921600".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Rfc2217 {
                addr: "farm:4001".into(),
                baud: 921_600
            })
        );
        // pyserial's spellings.
        assert_eq!(
            "socket://farm:3001".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Tcp {
                addr: "farm:3001".into()
            })
        );
        assert_eq!(
            "rfc2217://farm:4001?ign_set_control".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Rfc2217 {
                addr: "farm:4001".into(),
                baud: 115_200
            })
        );
        assert_eq!(
            "rfc2217://farm:4001?ign_set_control&baudrate=921600".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Rfc2217 {
                addr: "farm:4001".into(),
                baud: 921_600
            })
        );
        assert!(
            "rfc2217://farm:4001?fast"
                .parse::<DeviceSpec>()
                .unwrap_err()
                .contains("unknown rfc2217 option `fast`")
        );
        assert_eq!(
            "/dev/ttyACM0".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Serial {
                path: "/dev/ttyACM0".into(),
                baud: 115_200
            })
        );
        assert_eq!(
            "labgrid:esp32-1@127.0.0.1:20408".parse::<DeviceSpec>(),
            Ok(DeviceSpec::Labgrid {
                place: "esp32-1".into(),
                coordinator: Some("127.0.0.1:20408".into())
            })
        );
        assert!(
            "serial:x@fast"
                .parse::<DeviceSpec>()
                .unwrap_err()
                .contains("baud")
        );
        assert!(
            "usb"
                .parse::<DeviceSpec>()
                .unwrap_err()
                .contains("unknown device")
        );
    }
}
