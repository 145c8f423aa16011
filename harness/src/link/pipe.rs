//! What every link is: a byte pipe to a device's AT channel, and what it can say about the
//! device behind it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::elf::ImageSize;

/// A firmware image's identity in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firmware {
    /// The image file.
    pub image: String,
    /// The emulator and machine.
    pub machine: String,
    /// Its sections.
    pub size: ImageSize,
    /// Static RAM: initialised plus zeroed data (the stack comes on top).
    pub static_ram: u64,
    /// From the start of the emulation to `ready` on the UART, in milliseconds.
    pub boot_ms: u64,
}

/// A byte pipe to a device.
pub trait Link: Send {
    /// Writes all bytes.
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Reads what arrives within `timeout`; `Ok(0)` when nothing did.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize>;
    /// Closes and opens the link again (a hung device's last resort; the virtual board is
    /// restarted).
    fn reopen(&mut self) -> std::io::Result<()>;
    /// One line for reports.
    fn describe(&self) -> String;
    /// Sets the modem-control lines (DTR, RTS), as a USB-UART bridge wired for auto-reset
    /// uses them on EN and IO0. Links without them answer `Unsupported`.
    fn set_lines(&mut self, dtr: bool, rts: bool) -> std::io::Result<()> {
        let _ = (dtr, rts);
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "this link has no modem-control lines",
        ))
    }
    /// How many bytes the link's UART log holds so far (bytes held back as a possible secret
    /// not counted): where one check's part of the log starts and ends. `None` without a log.
    fn log_offset(&mut self) -> Option<u64> {
        None
    }
    /// The firmware image behind the link, when the harness booted one itself (`qemu:`).
    fn firmware(&self) -> Option<Firmware> {
        None
    }
    /// Resets the device through the link itself (a debug probe's reset); links without
    /// one answer `Unsupported`.
    fn hardware_reset(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "this link cannot reset the device itself",
        ))
    }
}
