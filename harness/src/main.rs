//! `atspec`: the command-line front of the conformance toolkit.
//!
//! Exit status follows one rule across subcommands: 0 when the answer is "yes" (valid,
//! compatible, conformant), 1 when it is "no" (invalid spec, breaking change, non-conformant),
//! 2 when the tool could not answer (unreadable input, bad usage), and, for `certify` and
//! `report merge`, 3 when the evidence is incomplete (nothing failed, but some clause was not
//! proved: a partial run, a missing shard, a skipped check).

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// Generate firmware code from a spec: `gen c` writes the parser, dispatcher and writers
    /// as portable C99.
    #[command(subcommand)]
    Gen(cmd::codegen::GenCommand),
    /// Certify a device: clause checks and stateful fuzzing against a mock HTTP(S) peer.
    Certify(Box<cmd::certify::CertifyArgs>),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cmd::docs::CompletionsArgs),
    /// Write the man pages (atspec.1 and one per subcommand).
    Man(cmd::docs::ManArgs),
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
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `certify` reads a configuration file too: its values become the options' defaults,
    // so the command line and the environment still come first.
    let mut from_file = cmd::config::FromFile::default();
    let mut entries = Vec::new();
    if args.iter().any(|a| a == "certify") {
        match load_config(&args, &mut from_file) {
            Ok(e) => entries = e,
            Err(e) => {
                eprintln!("atspec certify: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let command = Cli::command().mut_subcommand("certify", |c| {
        cmd::config::with_file(cmd::config::with_env(c), &entries)
    });
    let matches = command.clone().get_matches_from(&args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cmd::set_color(cli.color);
    match cli.command {
        Command::Spec(c) => cmd::spec::run(c),
        Command::Gen(c) => cmd::codegen::run(c),
        Command::Certify(a) if a.print_config() => {
            let (Some(m), Some(c)) = (
                matches.subcommand_matches("certify"),
                command.find_subcommand("certify"),
            ) else {
                return ExitCode::from(2);
            };
            print!("{}", cmd::config::describe(m, c, &from_file));
            ExitCode::SUCCESS
        }
        Command::Certify(a) => cmd::certify::run(*a),
        Command::Replay(a) => cmd::replay::run(*a),
        Command::List(a) => cmd::list::run(a),
        Command::Completions(a) => cmd::docs::completions(a, command),
        Command::Man(a) => cmd::docs::man(a, command),
        Command::Pki(c) => cmd::pki::run(c),
        Command::Report(c) => cmd::report::run(c),
        Command::Board(a) => cmd::board::run(a),
        Command::Relay(a) => cmd::relay::run(a),
    }
}

/// The configuration file's values (`--config FILE`, else `atspec.toml` here), noting where
/// each came from.
fn load_config(
    args: &[std::ffi::OsString],
    from_file: &mut cmd::config::FromFile,
) -> Result<Vec<(String, String)>, String> {
    let Some(path) = cmd::config::file_in(args) else {
        return Ok(Vec::new());
    };
    let longs: Vec<String> = Cli::command()
        .find_subcommand("certify")
        .map(|c| {
            c.get_arguments()
                .filter_map(|a| a.get_long().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for (long, value, line) in cmd::config::read(&path, &longs)? {
        from_file
            .0
            .insert(long.clone(), format!("{}:{line}", path.display()));
        out.push((long, value));
    }
    Ok(out)
}
