//! Compile-fail tests: each broken spec gives its diagnostics, with YAML positions, at the
//! macro's string literal, and a spec with several problems reports all of them in one build.

#[test]
fn spec_errors_are_compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
