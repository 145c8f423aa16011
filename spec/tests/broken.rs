//! One broken fixture per error class: the exact message at the exact line:col, and every
//! problem of a file reported together.

mod common;

use atspec_spec::Diagnostic;

fn errors(name: &str) -> Vec<Diagnostic> {
    match atspec_spec::load(common::fixture(name)) {
        Ok(_) => panic!("{name} loaded without errors"),
        Err(d) => d.0,
    }
}

/// Asserts exactly one diagnostic at `line:col` whose message contains `needle`.
fn assert_one(name: &str, line: usize, col: usize, needle: &str) {
    let errs = errors(name);
    assert_eq!(errs.len(), 1, "{name}: {errs:#?}");
    let e = &errs[0];
    assert_eq!((e.line, e.col), (line, col), "{name}: {e}");
    assert!(e.message.contains(needle), "{name}: {e}");
    assert!(
        e.file.ends_with(name),
        "{name}: diagnostic names {}",
        e.file
    );
    assert!(
        e.to_string()
            .contains(&format!("{name}:{line}:{col}: error: ")),
        "{e}"
    );
}

#[test]
fn minimal_fixture_is_valid() {
    atspec_spec::load(common::fixture("minimal.yaml")).unwrap();
}

#[test]
fn syntax_error() {
    assert_one("broken-syntax.yaml", 64, 13, "unclosed quote");
}

#[test]
fn unknown_key() {
    assert_one("broken-unknown-key.yaml", 14, 7, "unknown field `defualt`");
}

#[test]
fn duplicate_clause_id() {
    assert_one(
        "broken-duplicate-id.yaml",
        65,
        9,
        "duplicate clause id \"SIZE.RANGE\" (first defined at line 61)",
    );
}

#[test]
fn empty_range() {
    let errs = errors("broken-empty-range.yaml");
    let e = &errs[0];
    assert_eq!((e.line, e.col), (13, 15), "{e}");
    assert!(
        e.message
            .contains("range `size` is empty: min 10240 > max 0"),
        "{e}"
    );
}

#[test]
fn default_out_of_range() {
    assert_one(
        "broken-default-out-of-range.yaml",
        14,
        16,
        "default 20480 of `size` is outside its range [0, 10240]",
    );
}

#[test]
fn dangling_reference() {
    assert_one(
        "broken-dangling-reference.yaml",
        57,
        35,
        "unknown clause `SIZE.MISSING`",
    );
}

#[test]
fn alias_bomb_hits_the_budget() {
    assert_one("broken-alias-bomb.yaml", 62, 22, "budget breached");
}

#[test]
fn all_errors_of_a_file_come_together_in_file_order() {
    let errs = errors("broken-many-errors.yaml");
    let got: Vec<(usize, usize, &str)> = errs
        .iter()
        .map(|e| (e.line, e.col, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                14,
                16,
                "default 20480 of `size` is outside its range [0, 10240]"
            ),
            (28, 31, "unknown error code `UNKNOWN_CODE`"),
            (28, 53, "unknown result `fine`"),
            (57, 23, "unknown clause `SIZE.NOPE`"),
            (63, 13, "unknown command `AT+GONE`"),
        ]
    );
}

#[test]
fn missing_file_is_a_diagnostic_not_a_panic() {
    let err = atspec_spec::load(common::fixture("no-such-file.yaml")).unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(
        err.0[0].message.starts_with("cannot read the spec"),
        "{err}"
    );
}

#[test]
fn semantic_checks_each_fire() {
    // Each edit of the minimal spec breaks one rule; the loader must name it.
    let base = std::fs::read_to_string(common::fixture("minimal.yaml")).unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\n    alternatives: [{kind: missing_means_default, param: nope, value: 1, why: w}]\n",
            "AT+SIZE has no parameter \"nope\"",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\n    alternatives: [{kind: missing_means_default, param: size, value: 99999, why: w}]\n",
            "99999 is outside size's range",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [\"*\"]\n    source: seed\n    alternatives: [{kind: err_code_optional, why: w}]\n",
            "must bind exactly one command",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\n    alternatives: [{kind: redirect_followed, why: w}]\n",
            "AT+SIZE cannot follow one",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\n    variants: [{kind: chead_appends, profiles: [old], statement: s, source: seed}]\n",
            "unknown profile `old`",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\n    variants: [{kind: chead_appends, profiles: [old], statement: s, source: seed}]\nprofiles:\n  - {id: contract, title: c}\n  - {id: old, title: o, alternatives: false, esp_at_version: \"1.0\"}\n",
            "variant chead_appends of SIZE.RANGE changes AT+HTTPCHEAD, which the clause does not bind",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\nprofiles:\n  - {id: contract, title: c}\n  - {id: old, title: o, esp_at_version: \"v1\", lacks: [AT+GONE]}\n",
            "esp_at_version \"v1\" must be MAJOR.MINOR",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\nprofiles:\n  - {id: contract, title: c}\n  - {id: old, title: o, lacks: [AT+GONE]}\n",
            "unknown command `AT+GONE`",
        ),
        (
            "    binds: [AT+SIZE]\n    source: seed\n",
            "    binds: [AT+SIZE]\n    source: seed\nprofiles:\n  - {id: old, title: o, esp_at_version: \"1.0\"}\n",
            "the first profile is the contract",
        ),
        ("version: 0.1.0", "version: one", "is not MAJOR.MINOR.PATCH"),
        ("ident: Size", "ident: size", "must be CamelCase"),
        ("name: AT+SIZE", "name: XX+SIZE", "must be `AT` followed by"),
        (
            "- name: size\n            type: int",
            "- name: Size\n            type: int",
            "must be snake_case",
        ),
        (
            "{name: ok, when: always, result: ok}",
            "{name: ok, when: always, result: nope}",
            "unknown result `nope`",
        ),
        (
            "id: SIZE.RANGE",
            "id: size-range",
            "must be dotted upper-case words",
        ),
        (
            "source: seed\n",
            "source: folklore\n",
            "unknown source `folklore`",
        ),
        (
            "source: seed\n",
            "source: seed §1\n",
            "`seed` takes no section",
        ),
        (
            "line: \"ERR CODE:0x{code:08x}\\r\\n\"",
            "line: \"ERR CODE:0x{cod:08x}\\r\\n\"",
            "exactly one field",
        ),
        (
            "sub: UNSUPPORT_CMD",
            "sub: NOPE",
            "unknown sub-category `NOPE`",
        ),
        (
            "status: 404",
            "status: 4040",
            "HTTP status must be 100..=999",
        ),
        (
            "            limit: size\n",
            "            limit: sise\n",
            "unknown limit range `sise`",
        ),
        (
            "            limit: size\n",
            "            limit: size\n            must_contain: \":\"\n",
            "`must_contain` applies to strings",
        ),
        ("bytes: \"\\r\\nOK\\r\\n\"", "bytes: \"\"", "has no bytes"),
        (
            "separator: \",\"",
            "separator: \",,\"",
            "must be exactly one byte",
        ),
        (
            "integer_forms: [decimal]",
            "integer_forms: [octal]",
            "unknown integer form `octal`",
        ),
    ];
    for (old, new, needle) in cases {
        assert!(base.contains(old), "fixture lacks {old:?}");
        let text = base.replacen(old, new, 1);
        let err = atspec_spec::load_str("edit.yaml", &text)
            .err()
            .unwrap_or_else(|| panic!("{new:?} was accepted"));
        assert!(
            err.iter().any(|d| d.message.contains(needle) && d.line > 0),
            "{new:?}: expected {needle:?}, got\n{err}"
        );
    }
}
