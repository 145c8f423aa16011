//! A probe-rs RTT channel as the AT link (feature `probe`): attach to the chip, optionally
//! flash an ELF, then use RTT up channel 0 (device → host) and down channel 0 (host → device).

use std::path::Path;
use std::time::{Duration, Instant};

use probe_rs::probe::list::Lister;
use probe_rs::rtt::Rtt;
use probe_rs::{Permissions, Session};

/// An attached RTT link.
pub struct ProbeLink {
    chip: String,
    elf: Option<std::path::PathBuf>,
    session: Session,
    rtt: Rtt,
}

/// Opens the first probe and attaches to `chip` (no RTT).
fn open_session(chip: &str) -> Result<Session, String> {
    if chip.to_ascii_lowercase().starts_with("esp") {
        // Espressif targets come from their plugin, which must be registered before attaching.
        static ESPRESSIF: std::sync::Once = std::sync::Once::new();
        ESPRESSIF.call_once(probe_rs_espressif::register_plugin);
    }
    let lister = Lister::new();
    let probes = lister.list_all();
    let Some(info) = probes.first() else {
        return Err(
            "no debug probe found (is it plugged in, and are udev rules installed?)".into(),
        );
    };
    let probe = info
        .open()
        .map_err(|e| format!("cannot open probe {}: {e}", info.identifier))?;
    probe
        .attach(chip, Permissions::default())
        .map_err(|e| format!("cannot attach to {chip}: {e}"))
}

fn attach(chip: &str, elf: Option<&Path>) -> Result<(Session, Rtt), String> {
    let mut session = open_session(chip)?;
    if let Some(elf) = elf {
        let elf_format = probe_rs::flashing::ElfLoader(probe_rs::flashing::ElfOptions::default());
        probe_rs::flashing::download_file(&mut session, elf, elf_format)
            .map_err(|e| format!("flashing {}: {e}", elf.display()))?;
        let mut core = session.core(0).map_err(|e| e.to_string())?;
        core.reset()
            .map_err(|e| format!("reset after flashing: {e}"))?;
    }
    // The firmware sets up its RTT control block shortly after reset.
    let start = Instant::now();
    loop {
        let mut core = session.core(0).map_err(|e| e.to_string())?;
        match Rtt::attach(&mut core) {
            Ok(rtt) => {
                drop(core);
                return Ok((session, rtt));
            }
            Err(e) if start.elapsed() > Duration::from_secs(5) => {
                return Err(format!("no RTT control block on {chip}: {e}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

impl ProbeLink {
    /// Attaches (and flashes `elf` first, when given).
    pub fn open(chip: &str, elf: Option<&Path>) -> Result<ProbeLink, String> {
        let (session, rtt) = attach(chip, elf)?;
        Ok(ProbeLink {
            chip: chip.into(),
            elf: elf.map(Path::to_path_buf),
            session,
            rtt,
        })
    }
}

impl super::pipe::Link for ProbeLink {
    fn write_all(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let mut core = self.session.core(0).map_err(std::io::Error::other)?;
            let down = self
                .rtt
                .down_channel(0)
                .ok_or_else(|| std::io::Error::other("the firmware has no RTT down channel 0"))?;
            let n = down
                .write(&mut core, bytes)
                .map_err(std::io::Error::other)?;
            bytes = &bytes[n..];
            if n == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        let start = Instant::now();
        loop {
            let mut core = self.session.core(0).map_err(std::io::Error::other)?;
            let up = self
                .rtt
                .up_channel(0)
                .ok_or_else(|| std::io::Error::other("the firmware has no RTT up channel 0"))?;
            let n = up.read(&mut core, buf).map_err(std::io::Error::other)?;
            if n > 0 || start.elapsed() >= timeout {
                return Ok(n);
            }
            drop(core);
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        let (session, rtt) =
            attach(&self.chip, self.elf.as_deref()).map_err(std::io::Error::other)?;
        self.session = session;
        self.rtt = rtt;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("probe-rs RTT on {}", self.chip)
    }

    fn hardware_reset(&mut self) -> std::io::Result<()> {
        self.session
            .core(0)
            .map_err(std::io::Error::other)?
            .reset()
            .map_err(std::io::Error::other)?;
        // The restarted firmware sets its RTT control block up again.
        std::thread::sleep(Duration::from_millis(200));
        self.reopen()
    }
}

/// Attaches to `chip` through the first probe and resets its core 0.
pub fn reset(chip: &str) -> Result<(), String> {
    let mut session = open_session(chip).map_err(|e| format!("probe reset: {e}"))?;
    session
        .core(0)
        .map_err(|e| format!("probe reset of {chip}: {e}"))?
        .reset()
        .map_err(|e| format!("probe reset of {chip}: {e}"))
}
