//! The built-in virtual board: this same executable started as `atspec board --pty`, reached
//! over its pseudo-terminal with the serial link (real serial semantics).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::pipe::Link;
use super::serial::SerialLink;

/// A running virtual board and the serial link to it.
pub struct VirtualBoard {
    baud: u32,
    program: PathBuf,
    args: Vec<String>,
    child: Child,
    link: SerialLink,
    path: String,
}

impl VirtualBoard {
    /// Starts `program board --pty` with the PKI directory, an optional mutant, variant or
    /// ESP-AT version,
    /// and its UART output paced at `baud` (0: unpaced).
    pub fn start(
        program: &Path,
        pki: Option<&Path>,
        mutant: Option<&str>,
        variant: Option<&str>,
        esp_at_version: Option<&str>,
        baud: u32,
    ) -> Result<VirtualBoard, String> {
        let mut args = vec!["board".to_string(), "--pty".to_string()];
        if baud > 0 {
            args.push("--baud".into());
            args.push(baud.to_string());
        }
        if let Some(p) = pki {
            args.push("--pki".into());
            args.push(p.display().to_string());
        }
        if let Some(m) = mutant {
            args.push("--mutant".into());
            args.push(m.into());
        }
        if let Some(v) = variant {
            args.push("--variant".into());
            args.push(v.into());
        }
        if let Some(v) = esp_at_version {
            args.push("--esp-at-version".into());
            args.push(v.into());
        }
        let (child, path) = spawn(program, &args)?;
        let link = SerialLink::open(&path, baud.max(9600))?;
        Ok(VirtualBoard {
            baud,
            program: program.into(),
            args,
            child,
            link,
            path,
        })
    }
}

fn spawn(program: &Path, args: &[String]) -> Result<(Child, String), String> {
    let mut cmd = Command::new(program);
    cmd.args(args).stderr(Stdio::null());
    atspec_board::announce::spawn_pty_board(cmd).map_err(|e| {
        format!(
            "{e} ({}); is the mutant or variant name right?",
            program.display()
        )
    })
}

impl Link for VirtualBoard {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.link.write_all(bytes)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        self.link.read(buf, timeout)
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, path) = spawn(&self.program, &self.args).map_err(std::io::Error::other)?;
        self.child = child;
        self.link = SerialLink::open(&path, self.baud.max(9600)).map_err(std::io::Error::other)?;
        self.path = path;
        Ok(())
    }

    fn set_lines(&mut self, dtr: bool, rts: bool) -> std::io::Result<()> {
        self.link.set_lines(dtr, rts)
    }

    fn describe(&self) -> String {
        match self.baud {
            0 => format!("virtual board on {}", self.path),
            b => format!("virtual board on {} paced at {b} baud", self.path),
        }
    }
}

impl Drop for VirtualBoard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
