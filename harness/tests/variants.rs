//! The other half of the harness's teeth: behaviours the spec permits but the virtual board
//! does not choose by default (`--variant NAME`) must stay CONFORMANT, with no clause failing
//! or hung, under clause checks and fuzzing. `mutants.rs` proves the opposite side.

mod common;

use common::{atspec, certify, clauses_with};

fn tolerated(variant: &str) {
    let (run, report) = certify(
        variant,
        &[
            "--variant",
            variant,
            "--cases",
            "60",
            "--seed",
            "7",
            "--no-well-known-ports",
        ],
    );
    assert_eq!(
        run.code, 0,
        "variant {variant} is legitimate and must pass\n{}\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(report["conformant"], true);
    assert!(clauses_with(&report, "fail").is_empty());
    assert!(clauses_with(&report, "hung").is_empty());
    assert_eq!(report["fuzz"]["cases"], 60);
}

macro_rules! variants {
    ($($test:ident: $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                tolerated($name);
            }
        )*

        #[test]
        fn every_variant_has_a_test() {
            let names = [$($name),*];
            assert_eq!(
                names.len(),
                atspec_board::variant_names().len(),
                "variants: {:?}",
                atspec_board::variant_names()
            );
            for v in atspec_board::variant_names() {
                assert!(names.contains(&v), "variant {v} has no test");
            }
        }
    };
}

variants! {
    idf_header_order: "idf-header-order",
    small_pieces: "small-pieces",
}

#[test]
fn an_unknown_variant_is_a_setup_error() {
    let r = atspec(&["certify", "--variant", "no-such-thing", "--cases", "0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("unknown variant `no-such-thing`; known: idf-header-order"),
        "{}",
        r.stderr
    );
}
