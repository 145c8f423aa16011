//! `spec diff` classification on edits of the real spec.

mod common;

use atspec_spec::diff::{ChangeKind, Impact, Report, diff};

fn edited(edits: &[(&str, &str)]) -> Report {
    let text = common::spec_text();
    let old = atspec_spec::load_str("old.yaml", &text).unwrap();
    let mut new_text = text.clone();
    for (from, to) in edits {
        assert!(new_text.contains(from), "spec lacks {from:?}");
        new_text = new_text.replacen(from, to, 1);
    }
    let new = match atspec_spec::load_str("new.yaml", &new_text) {
        Ok(s) => s,
        Err(d) => panic!("edited spec does not lint:\n{d}"),
    };
    diff(&old, &new)
}

#[test]
fn identical_specs_have_no_changes() {
    let r = edited(&[]);
    assert!(r.changes.is_empty(), "{r}");
    assert!(!r.breaking());
}

#[test]
fn narrowed_range_is_breaking_for_hosts() {
    let r = edited(&[(
        "      range: [0, 10240]\n      default: 2048",
        "      range: [0, 8192]\n      default: 2048",
    )]);
    let c: Vec<_> = r.of(ChangeKind::RangeNarrowed).collect();
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(c[0].subject, "limit buffer_size");
    assert_eq!(c[0].host, Impact::Breaking);
    assert_eq!(c[0].firmware, Impact::Compatible);
    assert!(r.breaking());
}

#[test]
fn widened_range_is_compatible() {
    let r = edited(&[("      range: [8, 8192]", "      range: [8, 16384]")]);
    let c: Vec<_> = r.of(ChangeKind::RangeWidened).collect();
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(c[0].subject, "limit url_length");
    assert!(!r.breaking(), "{r}");
}

#[test]
fn param_range_change_is_reported_on_the_parameter() {
    let r = edited(&[
        ("            range: [0, 3]\n", "            range: [0, 2]\n"),
        (
            "              - {value: 3, name: TextXml, meaning: text/xml}\n",
            "",
        ),
    ]);
    let narrowed: Vec<_> = r.of(ChangeKind::RangeNarrowed).collect();
    assert_eq!(narrowed.len(), 1, "{r}");
    assert_eq!(narrowed[0].subject, "AT+HTTPCLIENT set content_type");
    assert_eq!(narrowed[0].detail, "[0, 3] → [0, 2]");
    assert_eq!(r.of(ChangeKind::EnumValueRemoved).count(), 1, "{r}");
    assert!(r.breaking());
}

#[test]
fn new_optional_trailing_parameter_is_compatible() {
    let r = edited(&[(
        "            clauses: [HTTP.TIMEOUT.PARAM, HTTP.TIMEOUT.ZERO_IS_DEFAULT]\n",
        "            clauses: [HTTP.TIMEOUT.PARAM, HTTP.TIMEOUT.ZERO_IS_DEFAULT]\n          - name: retries\n            type: int\n            presence: optional\n            range: [0, 3]\n            default: 0\n            description: Retries.\n",
    )]);
    // The parameter list is shared by HTTPGETSIZE and HTTPCGET through a YAML anchor.
    let added: Vec<_> = r.of(ChangeKind::ParamAdded).collect();
    assert_eq!(added.len(), 2, "{r}");
    assert!(
        added.iter().all(|c| c.subject.ends_with(" set retries")),
        "{r}"
    );
    assert!(!r.breaking(), "{r}");
}

#[test]
fn new_required_parameter_is_breaking() {
    // Inserted at position 1 of the list HTTPGETSIZE and HTTPCGET share: every later
    // parameter moves, and old lines no longer parse.
    let r = edited(&[(
        "            clauses: [HTTP.URL.FALLBACK_URLCFG, HTTP.URL.VALID]\n",
        "            clauses: [HTTP.URL.FALLBACK_URLCFG, HTTP.URL.VALID]\n          - name: retries\n            type: int\n            presence: required\n            range: [0, 3]\n            description: Retries.\n",
    )]);
    let added: Vec<_> = r.of(ChangeKind::ParamAdded).collect();
    assert_eq!(added.len(), 2, "{r}");
    assert!(
        added
            .iter()
            .all(|c| c.host == Impact::Breaking && c.firmware == Impact::Breaking)
    );
    assert_eq!(r.of(ChangeKind::ParamMoved).count(), 6, "{r}");
}

#[test]
fn removed_enum_value_is_breaking_for_both() {
    let r = edited(&[(
        "              - {value: 3, name: TextXml, meaning: text/xml}\n",
        "",
    )]);
    let c: Vec<_> = r.of(ChangeKind::EnumValueRemoved).collect();
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(c[0].subject, "AT+HTTPCLIENT set content_type");
    assert_eq!(
        (c[0].firmware, c[0].host),
        (Impact::Breaking, Impact::Breaking)
    );
    assert!(r.breaking());
}

#[test]
fn added_enum_value_breaks_firmware_only() {
    let r = edited(&[
        (
            "              - {value: 3, name: TextXml, meaning: text/xml}\n",
            "              - {value: 3, name: TextXml, meaning: text/xml}\n              - {value: 4, name: Text, meaning: text/plain}\n",
        ),
        (
            "            range: [0, 3]\n            enum:\n              - {value: 0, name: FormUrlencoded",
            "            range: [0, 4]\n            enum:\n              - {value: 0, name: FormUrlencoded",
        ),
    ]);
    let c: Vec<_> = r.of(ChangeKind::EnumValueAdded).collect();
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(
        (c[0].firmware, c[0].host),
        (Impact::Breaking, Impact::Compatible)
    );
    assert_eq!(r.of(ChangeKind::RangeWidened).count(), 1, "{r}");
}

#[test]
fn clause_and_default_changes_are_classified() {
    let r = edited(&[
        (
            "statement: AT alone answers OK.",
            "statement: AT alone answers OK, always.",
        ),
        (
            "      default: 5000\n      unit: ms\n      description: Network timeout",
            "      default: 6000\n      unit: ms\n      description: Network timeout",
        ),
    ]);
    let changed: Vec<_> = r.of(ChangeKind::ClauseChanged).collect();
    assert_eq!(changed.len(), 1, "{r}");
    assert_eq!(changed[0].subject, "BASE.AT.OK");
    let defaults: Vec<_> = r.of(ChangeKind::DefaultChanged).collect();
    assert!(!defaults.is_empty(), "{r}");
    assert!(
        defaults
            .iter()
            .all(|c| c.host == Impact::Breaking && c.firmware == Impact::Compatible)
    );
}

#[test]
fn removed_command_and_clause_are_reported() {
    let text = common::spec_text();
    let old = atspec_spec::load_str("old.yaml", &text).unwrap();
    let mut new = old.clone();
    new.commands.retain(|c| c.name.value != "AT+HTTPCFG");
    new.clauses.retain(|c| c.id.value != "BASE.AT.OK");
    let r = diff(&old, &new);
    assert_eq!(r.of(ChangeKind::CommandRemoved).count(), 1, "{r}");
    assert_eq!(r.of(ChangeKind::ClauseRemoved).count(), 1, "{r}");
    let back = diff(&new, &old);
    let added: Vec<_> = back.of(ChangeKind::CommandAdded).collect();
    assert_eq!(added.len(), 1);
    assert_eq!(
        (added[0].firmware, added[0].host),
        (Impact::Breaking, Impact::Compatible)
    );
}

#[test]
fn alternatives_added_or_withdrawn_are_classified() {
    let why = "        why: Reference §2.7 states an exact parameter count";
    // Withdrawing an allowed answer breaks devices that gave it.
    let text = common::spec_text();
    let start = text
        .find("    alternatives:\n      - kind: err_code_optional\n")
        .unwrap();
    let end = text[start..].find(why).unwrap() + start;
    let end = end + text[end..].find('\n').unwrap() + 1;
    let block = &text[start..end];
    let r = edited(&[(block, "")]);
    let c: Vec<_> = r.of(ChangeKind::ClauseAlternatives).collect();
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(c[0].subject, "HTTPCFG.INDEXES.MODES_1_3");
    assert_eq!(c[0].firmware, Impact::Breaking);
    assert_eq!(c[0].host, Impact::Compatible);
    // Adding one breaks hosts that relied on the single answer.
    let r = edited(&[(
        "  - id: HTTPCFG.NO_CERT\n",
        "  - id: HTTPCFG.NO_CERT\n    alternatives: [{kind: err_code_optional, why: test}]\n",
    )]);
    let c: Vec<_> = r.of(ChangeKind::ClauseAlternatives).collect();
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(c[0].host, Impact::Breaking);
    assert_eq!(c[0].firmware, Impact::Compatible);
}

#[test]
fn profile_and_variant_changes_are_classified() {
    // A version that gains a command it lacked changes how devices of that version are judged.
    let r = edited(&[("    lacks: [AT+HTTPCFG]\n", "    lacks: []\n")]);
    let c: Vec<_> = r.of(ChangeKind::ProfileChanged).collect();
    assert_eq!(c.len(), 1, "{r}");
    assert_eq!(c[0].subject, "esp-at-3.1");
    assert!(c[0].detail.contains("lacks"), "{}", c[0].detail);
    assert!(c[0].breaking());
    // A clause variant moved to another profile: withdrawn under one, added under the other.
    let r = edited(&[(
        "        profiles: [esp-at-3.1]\n",
        "        profiles: [esp-at-3.0]\n",
    )]);
    let c: Vec<_> = r.of(ChangeKind::ClauseVariants).collect();
    assert_eq!(c.len(), 2, "{r}");
    assert!(
        c.iter()
            .all(|x| x.subject == "HTTPCHEAD.STORE.REPLACE_SAME_NAME")
    );
    // A new profile is compatible; a removed one is breaking.
    let r = edited(&[
        ("  - id: esp-at-4.1\n", "  - id: esp-at-9.9\n"),
        ("esp-at-3.1, esp-at-4.1]", "esp-at-3.1, esp-at-9.9]"),
    ]);
    assert_eq!(r.of(ChangeKind::ProfileAdded).count(), 1, "{r}");
    assert_eq!(r.of(ChangeKind::ProfileRemoved).count(), 1, "{r}");
    assert!(!r.of(ChangeKind::ProfileAdded).next().unwrap().breaking());
}
