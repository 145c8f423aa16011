//! `atspec spec lint | doc | diff`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use atspec_spec::doc::{self, Format};
use atspec_spec::model::Group;
use atspec_spec::{Diagnostics, Spec};
use clap::{Subcommand, ValueEnum};

/// Spec subcommands.
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Check a spec file; print a one-line summary, or every error as file:line:col.
    Lint {
        /// The YAML spec.
        file: PathBuf,
    },
    /// Render the complete human reference of a spec.
    Doc {
        /// The YAML spec.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the code `device!` or `host!` generates from a spec, pretty-printed (needs the
    /// `expand` feature).
    Expand {
        /// The YAML spec.
        file: PathBuf,
        /// Which side: the no_std firmware parser or the harness pieces.
        #[arg(long, value_enum, default_value_t = ExpandSide::Device)]
        side: ExpandSide,
    },
    /// Classify every change between two spec versions; exit 1 if any is breaking.
    Diff {
        /// The spec before the change.
        old: PathBuf,
        /// The spec after the change.
        new: PathBuf,
        /// Output: text (a terminal), markdown (a pull request comment) or json.
        #[arg(long, value_enum, default_value = "text")]
        format: super::spec_diff::DiffFormat,
    },
}

/// `--format` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DocFormat {
    /// Markdown.
    Md,
    /// Self-contained HTML.
    Html,
}

/// `--side` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExpandSide {
    /// `device!`: no_std parser, dispatcher, writers.
    Device,
    /// `host!`: encoders, decoder table, strategies, clause table.
    Host,
}

/// Runs a spec subcommand.
pub fn run(cmd: SpecCommand) -> ExitCode {
    match cmd {
        SpecCommand::Lint { file } => match atspec_spec::load(&file) {
            Ok(spec) => {
                println!("{}: ok — {}", file.display(), summary(&spec));
                ExitCode::SUCCESS
            }
            Err(d) => {
                eprintln!("{d}");
                ExitCode::from(1)
            }
        },
        SpecCommand::Doc {
            file,
            format,
            output,
        } => {
            let Some(spec) = load_or_report(&file) else {
                return ExitCode::from(1);
            };
            let format = match format {
                DocFormat::Md => Format::Markdown,
                DocFormat::Html => Format::Html,
            };
            let mut text = doc::render(&spec, format);
            if !text.ends_with('\n') {
                text.push('\n');
            }
            match output {
                None => emit(&text),
                Some(path) => match std::fs::write(&path, text) {
                    Ok(()) => {
                        eprintln!("wrote {}", path.display());
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        ExitCode::from(2)
                    }
                },
            }
        }
        SpecCommand::Expand { file, side } => expand(&file, side),
        SpecCommand::Diff { old, new, format } => {
            let (Some(a), Some(b)) = (load_or_report(&old), load_or_report(&new)) else {
                return ExitCode::from(2);
            };
            let report = atspec_spec::diff::diff(&a, &b);
            if report.changes.is_empty() && format == super::spec_diff::DiffFormat::Text {
                println!("no changes between {} and {}", old.display(), new.display());
                return ExitCode::SUCCESS;
            }
            // Both files were just read by the loader; the texts give the changes' lines.
            let (old_text, new_text) = (
                std::fs::read_to_string(&old).unwrap_or_default(),
                std::fs::read_to_string(&new).unwrap_or_default(),
            );
            emit(&super::spec_diff::render(
                &report,
                format,
                (&old, &old_text),
                (&new, &new_text),
            ));
            if report.breaking() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// Writes to standard output; a closed pipe (`| head`) ends the output quietly.
fn emit(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::from(2)
        }
    }
}

fn load_or_report(path: &Path) -> Option<Spec> {
    atspec_spec::load(path)
        .map_err(|d: Diagnostics| eprintln!("{d}"))
        .ok()
}

/// `8 HTTP commands, 6 base commands, 172 clauses, 6 error codes (+24 documented HTTP statuses)`.
fn summary(spec: &Spec) -> String {
    format!(
        "{}, {}, {}, {} (+{})",
        count(spec.count(Group::Http), "HTTP command"),
        count(spec.count(Group::Base), "base command"),
        count(spec.clauses.len(), "clause"),
        count(spec.error_codes.codes.len(), "error code"),
        count(spec.error_codes.http_status.len(), "documented HTTP status"),
    )
}

fn count(n: usize, what: &str) -> String {
    match (n, what.ends_with("status")) {
        (1, _) => format!("1 {what}"),
        (_, true) => format!("{n} {what}es"),
        (_, false) => format!("{n} {what}s"),
    }
}

/// `spec expand`: the generated code, pretty-printed.
#[cfg(feature = "expand")]
fn expand(file: &std::path::Path, side: ExpandSide) -> ExitCode {
    let side = match side {
        ExpandSide::Device => atspec_codegen_gen::Side::Device,
        ExpandSide::Host => atspec_codegen_gen::Side::Host,
    };
    match atspec_codegen_gen::expand(file, &file.display().to_string(), side) {
        Ok(code) => emit(&code),
        Err(d) => {
            eprintln!("{d}");
            ExitCode::from(1)
        }
    }
}

/// `spec expand` in a build without the code generator: says how to get one.
#[cfg(not(feature = "expand"))]
fn expand(_: &std::path::Path, _: ExpandSide) -> ExitCode {
    eprintln!(
        "atspec spec expand: this atspec was built without the `expand` feature; build it with `cargo build --release -p atspec --features expand`"
    );
    ExitCode::from(2)
}
