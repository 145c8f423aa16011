//! The board's first line on stdout, `PTY <path>`: written by the board once its
//! pseudo-terminal is open, read by whoever started it (the harness, the tests). Both sides
//! live here so the line has one spelling.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

/// What the line starts with.
const PREFIX: &str = "PTY ";

/// Writes the line for `path` and flushes it (the reader waits for it).
pub fn announce_pty(out: &mut impl Write, path: &std::path::Path) -> std::io::Result<()> {
    writeln!(out, "{PREFIX}{}", path.display())?;
    out.flush()
}

/// The pty path a board's first line names, if it is that line.
pub fn announced_pty(line: &str) -> Option<&str> {
    line.trim().strip_prefix(PREFIX)
}

/// Starts `cmd` (a board serving a pty), reads its first line and returns the child and the
/// pty path. The rest of its stdout is read and dropped on a thread of its own, so a board
/// that logs there never blocks on a full pipe. A board that exits or prints anything else
/// first is killed, and the error names its exit status.
pub fn spawn_pty_board(mut cmd: Command) -> Result<(Child, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the virtual board: {e}"))?;
    let stdout = child.stdout.take().ok_or("virtual board: no stdout")?;
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader
        .read_line(&mut first)
        .map_err(|e| format!("virtual board: {e}"))?;
    match announced_pty(&first) {
        Some(path) => {
            let path = path.to_string();
            let _ = std::thread::Builder::new()
                .name("atspec-board-stdout".into())
                .spawn(move || {
                    let mut sink = [0u8; 4096];
                    while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
                });
            Ok((child, path))
        }
        None => {
            let _ = child.kill();
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            Err(format!("the virtual board did not start ({status})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_reads_back_as_written() {
        let mut out = Vec::new();
        announce_pty(&mut out, std::path::Path::new("/dev/pts/7")).unwrap();
        assert_eq!(out, b"PTY /dev/pts/7\n");
        assert_eq!(
            announced_pty(std::str::from_utf8(&out).unwrap()),
            Some("/dev/pts/7")
        );
        assert_eq!(announced_pty("error: no pty\n"), None);
    }
}
