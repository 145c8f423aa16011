//! One module per subcommand family.

pub mod board;
pub mod certify;
pub mod codegen;
pub mod config;
pub mod docs;
pub mod farm;
pub mod list;
pub mod pki;
pub mod progress;
pub mod relay;
pub mod replay;
pub mod report;
pub mod spec;
pub mod spec_diff;

use atspec::report::terminal::{ColorChoice, Style};

/// `--color`, as given (set once by `main`).
static COLOR: std::sync::OnceLock<ColorChoice> = std::sync::OnceLock::new();

/// Records `--color` for every command's output.
pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

/// The style for standard output: `--color` with `NO_COLOR` and whether stdout is a terminal.
pub fn stdout_style() -> Style {
    use std::io::IsTerminal;
    Style::choose(
        COLOR.get().copied().unwrap_or_default(),
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}
