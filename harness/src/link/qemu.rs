//! `qemu:IMAGE`: a bare-metal firmware image (`firmware/bare/`) booted in
//! `qemu-system-riscv32 -machine virt -bios none`; `qemu-esp32c3:IMAGE`: its ESP32-C3 flavour,
//! packed into a flash image that the chip's mask ROM boots in Espressif's QEMU
//! (`ATSPEC_QEMU_ESP32C3` names that build; its folder holds the ROM).
//!
//! The AT UART is a QEMU chardev: a TCP server with `nodelay`, which QEMU holds the guest for
//! until the harness connects, so `ready` is never missed. The guest's network is QEMU's user
//! network with `restrict=on` (it reaches nothing) plus one `guestfwd` per mock endpoint: a
//! guest connection to [`GUEST_MOCK`]`:PORT` runs `atspec relay 127.0.0.1:PORT`, one process
//! per connection, as a real network opens one connection per request. The device is told
//! [`GUEST_MOCK`] as the mock's address. A restart (recovery) boots a fresh QEMU.

use std::io::{ErrorKind, Read};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::elf;
use super::pipe::{Firmware, Link};
use super::tcp::TcpLink;

/// Where the guest reaches the mock peer.
pub const GUEST_MOCK: &str = "10.0.2.100";
/// The QEMU program, unless `ATSPEC_QEMU_RISCV32` names another.
const QEMU: &str = "qemu-system-riscv32";
/// Longest wait for QEMU's chardev and then for `ready`.
const BOOT_TIMEOUT: Duration = Duration::from_secs(20);

/// Which emulated machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    /// QEMU's `virt`: the ELF is loaded directly (`-kernel`).
    Virt,
    /// Espressif's `esp32c3`: the ROM boots `IMAGE.flash.bin` (made by `esptool merge-bin`).
    Esp32c3,
}

/// A booted image and the UART connection to it.
pub struct QemuLink {
    machine: Machine,
    image: PathBuf,
    forwards: Vec<u16>,
    mock_ip: IpAddr,
    child: Child,
    uart: TcpLink,
    firmware: Firmware,
}

impl Firmware {
    /// One line for reports: sizes, static RAM, boot time.
    pub fn summary(&self) -> String {
        let engine = self
            .size
            .engine
            .map(|e| format!(" (engine {e} B)"))
            .unwrap_or_default();
        format!(
            "{}: text {} B, data {} B, bss {} B; static RAM {} B{engine}; boot to ready {} ms",
            self.image,
            self.size.text,
            self.size.data,
            self.size.bss,
            self.static_ram,
            self.boot_ms
        )
    }
}

impl QemuLink {
    /// Boots `image` on `machine` with a guest forward to `mock_ip:PORT` for every port in
    /// `forwards`.
    pub fn start(
        machine: Machine,
        image: &Path,
        forwards: &[u16],
        mock_ip: IpAddr,
    ) -> Result<QemuLink, String> {
        let bytes =
            std::fs::read(image).map_err(|e| format!("cannot read {}: {e}", image.display()))?;
        let size = elf::sizes(&bytes).map_err(|e| format!("{}: {e}", image.display()))?;
        let (child, stream, boot_ms) = boot(machine, image, forwards, mock_ip)?;
        Ok(QemuLink {
            machine,
            image: image.into(),
            forwards: forwards.to_vec(),
            mock_ip,
            child,
            uart: TcpLink::over("qemu uart", stream),
            firmware: Firmware {
                image: image.display().to_string(),
                machine: match machine {
                    Machine::Virt => format!("{} -machine virt", qemu()),
                    Machine::Esp32c3 => format!(
                        "{} -machine esp32c3",
                        esp32c3_qemu().unwrap_or_default().display()
                    ),
                },
                static_ram: size.data + size.bss,
                size,
                boot_ms,
            },
        })
    }
}

fn qemu() -> String {
    std::env::var("ATSPEC_QEMU_RISCV32").unwrap_or_else(|_| QEMU.into())
}

/// Espressif's QEMU (with the `esp32c3` machine and, beside it, the chip's ROM).
fn esp32c3_qemu() -> Result<PathBuf, String> {
    std::env::var_os("ATSPEC_QEMU_ESP32C3")
        .map(PathBuf::from)
        .ok_or_else(|| {
            "set ATSPEC_QEMU_ESP32C3 to a qemu-system-riscv32 with the esp32c3 machine (Espressif's QEMU, as ESP-IDF's tools install it); its folder must hold esp32c3-rom.bin".to_string()
        })
}

/// The flash image the ROM boots: `IMAGE.flash.bin` beside the ELF.
fn flash_of(image: &Path) -> PathBuf {
    let mut f = image.as_os_str().to_owned();
    f.push(".flash.bin");
    PathBuf::from(f)
}

/// The emulator command for `machine`, without the UART and network options.
fn machine_command(machine: Machine, image: &Path) -> Result<Command, String> {
    match machine {
        Machine::Virt => {
            let mut c = Command::new(qemu());
            c.args([
                "-machine", "virt", "-bios", "none", "-m", "64M", "-smp", "1",
            ])
            .args(["-display", "none", "-monitor", "none", "-nodefaults"])
            .arg("-kernel")
            .arg(image);
            Ok(c)
        }
        Machine::Esp32c3 => {
            let program = esp32c3_qemu()?;
            let flash = flash_of(image);
            if !flash.is_file() {
                return Err(format!(
                    "{}: no flash image beside it ({}); ci/bare-metal.sh packs one with esptool",
                    image.display(),
                    flash.display()
                ));
            }
            let mut c = Command::new(&program);
            if let Some(dir) = program.parent().filter(|d| !d.as_os_str().is_empty()) {
                c.arg("-L").arg(dir);
            }
            c.args([
                "-machine", "esp32c3", "-display", "none", "-monitor", "none",
            ])
            .arg("-drive")
            .arg(format!("file={},if=mtd,format=raw", flash.display()))
            .args([
                "-global",
                "driver=timer.esp32c3.timg,property=wdt_disable,value=true",
            ]);
            Ok(c)
        }
    }
}

/// Starts QEMU, connects to its UART and waits for `ready`: the child, the connection and
/// the boot time.
fn boot(
    machine: Machine,
    image: &Path,
    forwards: &[u16],
    mock_ip: IpAddr,
) -> Result<(Child, TcpStream, u64), String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port for the QEMU UART: {e}"))?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find atspec itself: {e}"))?;
    let mut netdev = match machine {
        Machine::Virt => "user,id=net0,restrict=on".to_string(),
        Machine::Esp32c3 => "user,model=open_eth,restrict=on".to_string(),
    };
    for p in forwards {
        netdev.push_str(&format!(
            ",guestfwd=tcp:{GUEST_MOCK}:{p}-cmd:{} relay {mock_ip}:{p}",
            exe.display()
        ));
    }
    let mut cmd = machine_command(machine, image)?;
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.arg("-chardev")
        .arg(format!(
            "socket,id=at,host=127.0.0.1,port={port},server=on,wait=on,nodelay=on"
        ))
        .args(["-serial", "chardev:at"]);
    match machine {
        Machine::Virt => {
            cmd.args(["-netdev", &netdev])
                .args(["-device", "virtio-net-device,netdev=net0"]);
        }
        Machine::Esp32c3 => {
            cmd.args(["-nic", &netdev]);
        }
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot start {program}: {e} (install qemu-system-misc, or see ci/bare-metal.sh)"
            )
        })?;
    let started = Instant::now();
    let stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if started.elapsed() < BOOT_TIMEOUT => {
                if let Ok(Some(status)) = child.try_wait() {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = e.read_to_string(&mut err);
                    }
                    return Err(format!("{program} exited ({status}): {}", err.trim()));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                let _ = child.kill();
                return Err(format!("{program}: no UART on port {port}: {e}"));
            }
        }
    };
    // The guest runs from the moment the chardev has its client.
    let booted = Instant::now();
    let _ = stream.set_nodelay(true);
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let mut s = &stream;
    while !seen.windows(5).any(|w| w == b"ready") {
        if booted.elapsed() > BOOT_TIMEOUT {
            let _ = child.kill();
            return Err(format!(
                "{}: no `ready` within {} s (UART said {:?})",
                image.display(),
                BOOT_TIMEOUT.as_secs(),
                String::from_utf8_lossy(&seen)
            ));
        }
        let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
        match s.read(&mut buf) {
            Ok(0) => {
                let _ = child.wait();
                return Err(format!("{}: QEMU closed the UART", image.display()));
            }
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(format!("QEMU UART: {e}")),
        }
    }
    let boot_ms = booted.elapsed().as_millis() as u64;
    Ok((child, stream, boot_ms))
}

impl Link for QemuLink {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.uart.write_all(bytes)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        self.uart.read(buf, timeout)
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, stream, boot_ms) =
            boot(self.machine, &self.image, &self.forwards, self.mock_ip)
                .map_err(std::io::Error::other)?;
        self.child = child;
        self.uart = TcpLink::over("qemu uart", stream);
        self.firmware.boot_ms = boot_ms;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("{} in {}", self.image.display(), self.firmware.machine)
    }

    fn firmware(&self) -> Option<Firmware> {
        Some(self.firmware.clone())
    }
}

impl Drop for QemuLink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
