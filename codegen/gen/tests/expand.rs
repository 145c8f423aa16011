//! Snapshots of both expansions of the real spec: a spec or generator change shows up as a
//! reviewable diff of generated code.
#![cfg(feature = "pretty")]

use std::path::PathBuf;

use atspec_codegen_gen::{Side, expand};

fn spec() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/esp-at-http.yaml")
}

#[test]
fn device_expansion() {
    let code = expand(&spec(), "spec/esp-at-http.yaml", Side::Device).unwrap();
    assert!(code.contains("pub fn parse<'a>("));
    assert!(code.contains("pub trait Handler"));
    insta::assert_snapshot!("device", code);
}

#[test]
fn host_expansion() {
    let code = expand(&spec(), "spec/esp-at-http.yaml", Side::Host).unwrap();
    assert!(code.contains("pub fn encode(cmd: &Command)"));
    assert!(code.contains("pub mod strategies"));
    insta::assert_snapshot!("host", code);
}
