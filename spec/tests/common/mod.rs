//! Paths shared by the spec crate's tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The real spec file.
pub fn spec_path() -> PathBuf {
    root().join("spec/esp-at-http.yaml")
}

/// The real spec's text.
pub fn spec_text() -> String {
    std::fs::read_to_string(spec_path()).expect("read spec/esp-at-http.yaml")
}

/// A fixture under fixtures/spec.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/spec").join(name)
}
