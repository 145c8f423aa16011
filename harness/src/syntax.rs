//! The generated syntax pieces the harness shares with firmware: the line parser (to know how
//! a line is read) and the host side (encoders, decoder, strategies, clause table).
//!
//! This is the only code the oracle shares with a device implementation. The behaviour after
//! parsing — what a command does, prints and sends — is modelled independently in `oracle`.

/// Parser and clause enum, as firmware gets them.
#[allow(missing_docs)]
pub mod device {
    atspec_codegen::device!("../../spec/esp-at-http.yaml");
}

/// Encoders, output decoder, proptest strategies and the clause table.
#[allow(missing_docs)]
pub mod host {
    atspec_codegen::host!(
        "../../spec/esp-at-http.yaml",
        device = crate::syntax::device
    );
}
