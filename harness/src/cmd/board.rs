//! `atspec board`: the built-in virtual board (what `--device virtual` starts). The arguments
//! and the loop are `atspec-board`'s own.

pub use atspec_board::{BoardArgs, run};
