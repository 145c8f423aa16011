//! `atspec-board`: the virtual board as a standalone binary (the harness embeds the same
//! loop as `atspec board`).
//!
//! ```text
//! atspec-board --pty             # prints `PTY /dev/pts/N` as its first stdout line
//! atspec-board --tcp 127.0.0.1:5555
//! ```

use std::process::ExitCode;

use clap::Parser;

/// Run the atspec firmware engine as a virtual AT module.
#[derive(Debug, Parser)]
#[command(name = "atspec-board", version, about)]
struct Cli {
    #[command(flatten)]
    args: atspec_board::BoardArgs,
}

fn main() -> ExitCode {
    atspec_board::run(Cli::parse().args)
}
