//! `atspec board`: the built-in virtual board (what `--device virtual` starts).

use std::process::ExitCode;

/// Arguments of `atspec board`.
#[derive(Debug, clap::Args)]
pub struct BoardArgs {
    /// Serve the AT channel on a new pseudo-terminal (prints `PTY <path>` first).
    #[arg(long, conflicts_with = "tcp")]
    pty: bool,
    /// Serve the AT channel to one TCP client at a time on this address.
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
    /// Pace UART output at this many baud; 0 is unpaced.
    #[arg(long, default_value_t = 0)]
    baud: u32,
    /// Directory with `ca.N.pem`, `client.N.crt.pem`, `client.N.key.pem`.
    #[arg(long, value_name = "DIR")]
    pki: Option<std::path::PathBuf>,
    /// Run a deliberately non-conformant variant (test builds with mutants only).
    #[arg(long, value_name = "NAME")]
    mutant: Option<String>,
}

/// Runs the board until killed.
pub fn run(a: BoardArgs) -> ExitCode {
    atspec_board::init_logging();
    let serve = match (a.pty, a.tcp) {
        (true, _) => atspec_board::Serve::Pty,
        (false, Some(addr)) => atspec_board::Serve::Tcp(addr),
        (false, None) => {
            eprintln!("atspec board: choose --pty or --tcp ADDR");
            return ExitCode::from(2);
        }
    };
    atspec_board::serve(atspec_board::Options {
        serve,
        baud: a.baud,
        pki: a.pki,
        mutant: a.mutant,
    })
}
