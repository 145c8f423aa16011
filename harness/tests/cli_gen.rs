//! `atspec gen c`: writes the two files, checks a copy, and fails clearly on bad input.

mod common;

use common::{atspec, tempdir};

fn spec() -> String {
    format!("{}/../spec/esp-at-http.yaml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn it_writes_the_header_and_source_and_check_sees_drift() {
    let dir = tempdir("gen-c");
    let out = dir.to_str().unwrap();
    let run = atspec(&["gen", "c", &spec(), "-o", out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let header = std::fs::read_to_string(dir.join("atspec_at.h")).unwrap();
    let source = std::fs::read_to_string(dir.join("atspec_at.c")).unwrap();
    assert!(header.contains("bool atspec_parse(const uint8_t *line"));
    assert!(source.contains("#include \"atspec_at.h\""));
    assert!(run.stderr.contains("wrote"), "{}", run.stderr);
    // --check: current, then stale after an edit.
    assert_eq!(atspec(&["gen", "c", &spec(), "-o", out, "--check"]).code, 0);
    std::fs::write(dir.join("atspec_at.c"), source.replace("ERROR", "EROR")).unwrap();
    let stale = atspec(&["gen", "c", &spec(), "-o", out, "--check"]);
    assert_eq!(stale.code, 1);
    assert!(
        stale.stderr.contains("stale") && stale.stderr.contains("atspec_at.c"),
        "{}",
        stale.stderr
    );
}

#[test]
fn a_second_prefix_renames_everything() {
    let dir = tempdir("gen-c-prefix");
    let run = atspec(&[
        "gen",
        "c",
        &spec(),
        "-o",
        dir.to_str().unwrap(),
        "--prefix",
        "modem2",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let header = std::fs::read_to_string(dir.join("modem2_at.h")).unwrap();
    assert!(header.contains("bool modem2_parse(") && header.contains("#define MODEM2_LINE_BYTES"));
    assert!(
        !header.contains("atspec_"),
        "a name kept the default prefix"
    );
}

#[test]
fn bad_input_gets_a_clear_error() {
    let dir = tempdir("gen-c-bad");
    let out = dir.to_str().unwrap();
    let run = atspec(&["gen", "c", &spec(), "-o", out, "--prefix", "9bad"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("prefix `9bad`"), "{}", run.stderr);
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "spec: {name: x\n").unwrap();
    let run = atspec(&["gen", "c", broken.to_str().unwrap(), "-o", out]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("broken.yaml:"), "{}", run.stderr);
    assert!(
        !dir.join("atspec_at.h").exists(),
        "nothing is written for a broken spec"
    );
}
