//! Both expansions of the real spec, side by side, for the tests in `tests/`.

/// The device side (the same expansion firmware uses).
pub mod device {
    atspec_codegen::device!("../../../spec/esp-at-http.yaml");
}

/// The host side, with conversions from device commands.
pub mod host {
    atspec_codegen::host!("../../../spec/esp-at-http.yaml", device = crate::device);
}
