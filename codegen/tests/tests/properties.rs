//! Property tests over the generated strategies: round trip, exact rejections, no panics.

use std::collections::HashSet;

use atspec_codegen_tests::{device, host};
use atspec_rt::strategy::arbitrary_line;
use atspec_rt::strategy::cases;
use proptest::prelude::*;

/// The line without its terminator, as the device's line assembler hands it to `parse`.
fn body(line: &[u8]) -> &[u8] {
    line.strip_suffix(host::TERMINATOR)
        .expect("encoded lines end with the terminator")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(10_000), ..ProptestConfig::default() })]

    /// `parse(encode(c)) == c` for every valid command of every form.
    #[test]
    fn round_trip(cmd in host::strategies::valid()) {
        let line = host::encode(&cmd);
        prop_assert!(line.len() <= host::LINE_BYTES, "valid() made an overlong line: {}", line.len());
        let mut scratch = [0u8; 256];
        let parsed = device::parse(body(&line), &mut scratch)
            .map_err(|r| TestCaseError::fail(format!("{:?} rejected: {r:?}", String::from_utf8_lossy(&line))))?;
        prop_assert_eq!(host::Command::from_device(&parsed), cmd);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(10_000), ..ProptestConfig::default() })]

    /// Every invalid line is refused with exactly the rejection its label gives.
    #[test]
    fn invalid_lines_get_their_labelled_rejection((line, expected, defect) in host::strategies::invalid()) {
        let mut scratch = [0u8; 512];
        match device::parse(body(&line), &mut scratch) {
            Ok(c) => prop_assert!(false, "{:?} ({defect:?}) accepted as {c:?}", String::from_utf8_lossy(&line)),
            Err(got) => prop_assert_eq!(got, expected, "{:?} ({:?})", String::from_utf8_lossy(&line), defect),
        }
    }
}

#[test]
fn every_defect_class_is_generated() {
    // A deterministic sample of its own, independent of the property tests' random cases.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = host::strategies::invalid();
    let mut seen = HashSet::new();
    for _ in 0..5_000 {
        let (_, _, d) = strategy.new_tree(&mut runner).unwrap().current();
        seen.insert(format!("{d:?}"));
    }
    for d in [
        "BelowRange",
        "AboveRange",
        "NonNumeric",
        "Unquoted",
        "DanglingEscape",
        "MissingParam",
        "EmptyRequired",
        "ExtraParam",
        "TooManyParams",
        "Overlong",
        "UnknownCommand",
        "MissingForm",
    ] {
        assert!(seen.contains(d), "invalid() never produced {d}: {seen:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(100_000), ..ProptestConfig::default() })]

    /// `parse` never panics, whatever the bytes, and a rejection always names a final result.
    #[test]
    fn parse_never_panics(line in arbitrary_line()) {
        let mut scratch = [0u8; 300];
        if let Err(r) = device::parse(&line, &mut scratch) {
            prop_assert!(host::Reply::ALL.iter().any(|x| x.is_final() && x.bytes() == r.result));
        }
    }
}
