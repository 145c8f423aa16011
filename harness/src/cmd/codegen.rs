//! `atspec gen c`: the spec's parser, dispatcher and writers as portable C99.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

/// Code generation subcommands.
#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// Write `<prefix>_at.h` and `<prefix>_at.c`: the parser, dispatcher, response writers,
    /// limits, error codes and clause table of a spec, for C firmware (ESP-IDF, any SDK).
    C {
        /// The YAML spec.
        spec: PathBuf,
        /// Directory to write the two files into (created when missing).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Prefix of every generated name and of the files (a second spec in one firmware
        /// takes another).
        #[arg(long, default_value = "atspec", value_name = "NAME")]
        prefix: String,
        /// Write nothing; exit 1 when the files in DIR differ from what would be written
        /// (for CI: the committed copy is current).
        #[arg(long)]
        check: bool,
    },
}

/// Runs a `gen` subcommand.
pub fn run(cmd: GenCommand) -> ExitCode {
    match cmd {
        GenCommand::C {
            spec,
            output,
            prefix,
            check,
        } => c(&spec, &output, prefix, check),
    }
}

fn c(spec: &Path, dir: &Path, prefix: String, check: bool) -> ExitCode {
    let ir = match atspec_codegen_gen::load(spec, &spec.display().to_string()) {
        Ok(ir) => ir,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::from(1);
        }
    };
    let files =
        match atspec_codegen_gen::c::generate(&ir, &atspec_codegen_gen::c::COptions { prefix }) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
    let outputs = [
        (&files.header_name, &files.header),
        (&files.source_name, &files.source),
    ];
    if check {
        let stale: Vec<String> = outputs
            .iter()
            .filter(|(name, text)| {
                std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str())
            })
            .map(|(name, _)| dir.join(name).display().to_string())
            .collect();
        if stale.is_empty() {
            println!("{}: up to date with {}", dir.display(), spec.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "stale (run `atspec gen c {} -o {}`): {}",
            spec.display(),
            dir.display(),
            stale.join(", ")
        );
        return ExitCode::from(1);
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    for (name, text) in outputs {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!("wrote {} ({} lines)", path.display(), text.lines().count());
    }
    ExitCode::SUCCESS
}
