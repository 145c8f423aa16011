//! `atspec`: the command-line front of the conformance toolkit.
//!
//! Exit status follows one rule across subcommands: 0 when the answer is "yes" (valid,
//! compatible, conformant), 1 when it is "no" (invalid spec, breaking change, non-conformant),
//! 2 when the tool could not answer (unreadable input, bad usage), and, for `certify` and
//! `report merge`, 3 when the evidence is incomplete (nothing failed, but some clause was not
//! proved: a partial run, a missing shard, a skipped check).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Make AT-command firmware provably conform to its specification.
#[derive(Debug, Parser)]
#[command(name = "atspec", version, about, propagate_version = true)]
struct Cli {
    /// When to color output: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    color: atspec::report::terminal::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with spec files: lint, render the reference, compare versions.
    #[command(subcommand)]
    Spec(cmd::spec::SpecCommand),
    /// Certify a device: clause checks and stateful fuzzing against a mock HTTP(S) peer.
    Certify(Box<cmd::certify::CertifyArgs>),
    /// List what runs can select: checks, clauses, profiles, variants, mutants, classes.
    List(cmd::list::ListArgs),
    /// Run saved transcripts (fuzzing failures, fixtures) again and print byte diffs.
    Replay(Box<cmd::replay::ReplayArgs>),
    /// Make a PKI to provision into a device (`pki init DIR`) for `certify --pki DIR`.
    #[command(subcommand)]
    Pki(cmd::pki::PkiCommand),
    /// Work with certification reports: merge the shards of a split run.
    #[command(subcommand)]
    Report(cmd::report::ReportCommand),
    /// Run the built-in virtual board (what `--device virtual` starts).
    #[command(hide = true)]
    Board(cmd::board::BoardArgs),
    /// Join standard input and output to a TCP connection (what QEMU's user network runs
    /// per guest connection for `--device qemu:IMAGE`).
    #[command(hide = true)]
    Relay(cmd::relay::RelayArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cmd::set_color(cli.color);
    match cli.command {
        Command::Spec(c) => cmd::spec::run(c),
        Command::Certify(a) => cmd::certify::run(*a),
        Command::Replay(a) => cmd::replay::run(*a),
        Command::List(a) => cmd::list::run(a),
        Command::Pki(c) => cmd::pki::run(c),
        Command::Report(c) => cmd::report::run(c),
        Command::Board(a) => cmd::board::run(a),
        Command::Relay(a) => cmd::relay::run(a),
    }
}
