//! `atspec relay HOST:PORT`: standard input and output joined to a TCP connection, with
//! half-closes passed on. QEMU's user network runs it once per guest connection
//! (`guestfwd=…-cmd:atspec relay 127.0.0.1:PORT`): a chardev would carry one connection for the
//! whole run, and the mock peer's HTTP needs a fresh one per request, as a real network gives.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::ExitCode;

/// Arguments of `atspec relay`.
#[derive(Debug, clap::Args)]
pub struct RelayArgs {
    /// Where to connect.
    pub addr: String,
}

/// Runs `atspec relay`: exits 0 when the peer has finished, 1 when the connection fails (the
/// guest then sees its connection closed without an answer).
pub fn run(a: RelayArgs) -> ExitCode {
    let Ok(tcp) = TcpStream::connect(&a.addr) else {
        return ExitCode::from(1);
    };
    let _ = tcp.set_nodelay(true);
    let Ok(mut up) = tcp.try_clone() else {
        return ExitCode::from(1);
    };
    // Guest → peer on a thread: stdin's end becomes the peer's end of input.
    let upward = std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if up.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = up.shutdown(Shutdown::Write);
    });
    let mut down = tcp;
    let mut stdout = std::io::stdout().lock();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match down.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if stdout
                    .write_all(&buf[..n])
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    // The peer is done. Exiting closes standard output (QEMU reads end-of-file and sends the
    // guest its FIN) and the connection (the peer sees the client go); bytes the guest still
    // sends would meet a closed connection on a real network too.
    let _ = stdout.flush();
    drop(upward);
    std::process::exit(0)
}
