//! Problems only code generation can see (a range that does not fit the generated 32-bit
//! parameter) are reported through the spec's own diagnostics sink: every one of them, each at
//! the YAML position it comes from, in file order.

use std::path::PathBuf;

fn spec_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/esp-at-http.yaml");
    std::fs::read_to_string(path).expect("the spec is readable")
}

#[test]
fn every_lowering_problem_is_reported_at_its_yaml_position() {
    let text = spec_text();
    let wide = "range: [0, 2147483647]";
    let first = text.find(wide).expect("a full-width range in the spec");
    let second = first + wide.len() + text[first + wide.len()..].find(wide).expect("two of them");
    let mut broken = text.clone();
    broken.replace_range(second..second + wide.len(), "range: [0, 4294967296]");
    broken.replace_range(first..first + wide.len(), "range: [0, 2147483648]");
    let dir = std::env::temp_dir().join(format!("atspec-lowering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join("broken.yaml");
    std::fs::write(&file, &broken).expect("write the broken spec");

    let diags = atspec_codegen_gen::load(&file, "broken.yaml").expect_err("both ranges overflow");
    let line_of = |at: usize| broken[..at].lines().count();
    let found: Vec<(usize, &str)> = diags.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(diags.len(), 2, "{diags}");
    assert!(diags.iter().all(|d| d.file == "broken.yaml" && d.col > 0));
    assert_eq!(found[0].0, line_of(first + 1));
    assert_eq!(found[1].0, line_of(second + 1));
    assert!(
        found[0].1.contains("2147483648") && found[1].1.contains("4294967296"),
        "{diags}"
    );
    // The spec itself stays valid: the same file with the ranges back loads.
    std::fs::write(&file, &text).expect("write the spec back");
    assert!(atspec_codegen_gen::load(&file, "broken.yaml").is_ok());
    let _ = std::fs::remove_dir_all(dir);
}
