//! `atspec completions SHELL` and `atspec man`: shell completion scripts and man pages, made
//! from the same command definition as the parser, so they never fall behind it.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `atspec completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Arguments of `atspec man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `atspec.1` and one page per subcommand (`atspec-certify.1`, …) into this
    /// folder; without it, `atspec.1` goes to standard output.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Prints the completion script for `a.shell`.
pub fn completions(a: CompletionsArgs, mut command: clap::Command) -> ExitCode {
    clap_complete::generate(a.shell, &mut command, "atspec", &mut std::io::stdout());
    ExitCode::SUCCESS
}

/// Writes the man pages.
pub fn man(a: ManArgs, command: clap::Command) -> ExitCode {
    let result = match &a.out {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
            .map_err(|e| format!("cannot write man pages to {}: {e}", dir.display())),
        None => clap_mangen::Man::new(command)
            .render(&mut std::io::stdout())
            .map_err(|e| format!("cannot write the man page: {e}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("atspec man: {e}");
            ExitCode::from(2)
        }
    }
}
