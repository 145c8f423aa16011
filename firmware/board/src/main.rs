//! `atspec-board`: the virtual board as a standalone binary (the harness embeds the same
//! loop as `atspec board`).
//!
//! ```text
//! atspec-board --pty             # prints `PTY /dev/pts/N` as its first stdout line
//! atspec-board --tcp 127.0.0.1:5555
//! ```

use std::process::ExitCode;

use atspec_board::{Options, Serve};
use clap::Parser;

/// Run the atspec firmware engine as a virtual AT module.
#[derive(Debug, Parser)]
#[command(name = "atspec-board", version, about)]
struct Args {
    /// Serve the AT channel on a new pseudo-terminal (prints `PTY <path>` first).
    #[arg(long, conflicts_with = "tcp")]
    pty: bool,
    /// Serve the AT channel to one TCP client at a time on this address.
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
    /// Pace UART output at this many baud (8N1: 10 bits per byte); 0 is unpaced.
    #[arg(long, default_value_t = 0)]
    baud: u32,
    /// Directory with `ca.N.pem`, `client.N.crt.pem`, `client.N.key.pem` for AT+HTTPCFG.
    #[arg(long, value_name = "DIR")]
    pki: Option<std::path::PathBuf>,
    /// Run a deliberately non-conformant variant (builds with the `mutants` feature only).
    #[arg(long, value_name = "NAME")]
    mutant: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    atspec_board::init_logging();
    let serve = match (args.pty, args.tcp) {
        (true, _) => Serve::Pty,
        (false, Some(addr)) => Serve::Tcp(addr),
        (false, None) => {
            eprintln!("atspec-board: choose --pty or --tcp ADDR");
            return ExitCode::from(2);
        }
    };
    atspec_board::serve(Options {
        serve,
        baud: args.baud,
        pki: args.pki,
        mutant: args.mutant,
    })
}
