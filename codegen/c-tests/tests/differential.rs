//! The generated C against the Rust device code: the same outcome for every line (valid lines
//! of every form, every labelled invalid line, arbitrary bytes, scratch buffers too small), the
//! same bytes from every writer. 220,000 parse cases a run; `ATSPEC_CASES=N` sets each
//! property's count for a quick local run.

use atspec_c_tests::{Arg, Outcome, WRITERS, c_parse, c_write, host, rust_parse, rust_write};
use atspec_rt::strategy::arbitrary_line;
use proptest::prelude::*;

fn cases(full: u32) -> ProptestConfig {
    let n = std::env::var("ATSPEC_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(full);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The line as the device's line assembler hands it over: terminator removed.
fn body(line: &[u8]) -> &[u8] {
    line.strip_suffix(host::TERMINATOR).unwrap_or(line)
}

fn same(line: &[u8], scratch_len: usize) -> Result<Outcome, TestCaseError> {
    let (r, c) = (rust_parse(line, scratch_len), c_parse(line, scratch_len));
    prop_assert_eq!(
        &c,
        &r,
        "C and Rust differ on {:?} (scratch {})",
        String::from_utf8_lossy(line),
        scratch_len
    );
    Ok(r)
}

proptest! {
    #![proptest_config(cases(80_000))]

    /// Every valid command of every form: both parse it to the same command and values.
    #[test]
    fn valid_lines_parse_the_same(cmd in host::strategies::valid()) {
        let line = host::encode(&cmd);
        let r = same(body(&line), 256)?;
        prop_assert!(matches!(r, Outcome::Command { .. }), "valid line refused: {r:?}");
    }
}

proptest! {
    #![proptest_config(cases(60_000))]

    /// Every labelled invalid line: both refuse it with the label's rejection, printed alike.
    #[test]
    fn invalid_lines_are_refused_the_same((line, expected, defect) in host::strategies::invalid()) {
        match same(body(&line), 512)? {
            Outcome::Rejected { kind, err_code, result, .. } => {
                prop_assert_eq!((kind, err_code, &result[..]), (expected.kind, expected.err_code, expected.result), "{:?}", defect);
            }
            other => prop_assert!(false, "{defect:?} accepted: {other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(cases(60_000))]

    /// Arbitrary bytes, weighted toward AT-looking lines.
    #[test]
    fn arbitrary_bytes_get_the_same_outcome(line in arbitrary_line()) {
        same(&line, 512)?;
    }
}

proptest! {
    #![proptest_config(cases(20_000))]

    /// `atspec_dispatch` calls the handler of the parsed form (each handler of the table
    /// returns its form's index) and returns ATSPEC_UNHANDLED (-32768) for a NULL entry.
    #[test]
    fn dispatch_calls_the_handler_of_the_parsed_form(cmd in host::strategies::valid()) {
        use atspec_c_tests::{FORMS, c_dispatch};
        let line = host::encode(&cmd);
        let (name, form) = cmd.name_and_form();
        let marker = match form {
            atspec_rt::Form::Test => "=?",
            atspec_rt::Form::Query => "?",
            atspec_rt::Form::Set => "=",
            atspec_rt::Form::Execute => "",
        };
        let k = FORMS.iter().position(|f| *f == (name.as_str(), marker)).expect("a form of the spec");
        prop_assert_eq!(c_dispatch(body(&line), true), k as i32);
        prop_assert_eq!(c_dispatch(body(&line), false), -32768);
    }
}

proptest! {
    #![proptest_config(cases(20_000))]

    /// A scratch buffer shorter than the decoded strings: both refuse at the same parameter.
    #[test]
    fn short_scratch_buffers_fail_alike(cmd in host::strategies::valid(), cut in 0.0f64..1.0) {
        let line = host::encode(&cmd);
        let line = body(&line);
        same(line, (line.len() as f64 * cut) as usize)?;
    }
}

/// Arguments for one writer part: boundary-weighted integers, byte strings of any content.
fn args_for(kinds: &'static [Arg]) -> impl Strategy<Value = (Vec<i64>, Vec<Vec<u8>>)> {
    let ints = kinds.iter().filter(|k| **k != Arg::Bytes).count();
    let bytes = kinds.iter().filter(|k| **k == Arg::Bytes).count();
    let int = prop_oneof![
        Just(0i64),
        Just(-1),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(u32::MAX as i64),
        0i64..100_000,
        any::<i64>(),
    ];
    (
        proptest::collection::vec(int, ints),
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), bytes),
    )
}

fn writer_part() -> impl Strategy<Value = (usize, usize, Vec<i64>, Vec<Vec<u8>>)> {
    let parts: Vec<(usize, usize)> = WRITERS
        .iter()
        .enumerate()
        .flat_map(|(id, w)| (0..w.parts.len()).map(move |p| (id, p)))
        .collect();
    proptest::sample::select(parts).prop_flat_map(|(id, part)| {
        args_for(WRITERS[id].parts[part]).prop_map(move |(i, b)| (id, part, i, b))
    })
}

proptest! {
    #![proptest_config(cases(20_000))]

    /// Every writer and every half of a payload line: identical bytes.
    #[test]
    fn writers_print_the_same_bytes((id, part, mut ints, bytes) in writer_part()) {
        // A head half's length is a size_t in C and a usize in Rust: keep it non-negative.
        for (k, v) in WRITERS[id].parts[part].iter().filter(|k| **k != Arg::Bytes).zip(ints.iter_mut()) {
            if *k == Arg::Length {
                *v = v.unsigned_abs().min(i64::MAX as u64) as i64;
            }
        }
        let refs: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
        let (r, c) = (rust_write(id, part, &ints, &refs), c_write(id, part, &ints, &refs));
        prop_assert_eq!(c, r, "{} part {}", WRITERS[id].name, part);
    }
}

#[test]
fn enumeration_meanings_agree_for_every_value_near_the_named_ones() {
    use atspec_c_tests::{ENUMERATIONS, c_meaning, rust_meaning};
    const { assert!(ENUMERATIONS >= 4) };
    for id in 0..ENUMERATIONS {
        for v in (-3..20).chain([i32::MIN, i32::MAX]) {
            assert_eq!(
                c_meaning(id, v),
                rust_meaning(id, v),
                "enumeration {id}, value {v}"
            );
        }
    }
    // HTTP method names come from the spec: the C board builds its request lines from them.
    assert!((0..ENUMERATIONS).any(|id| c_meaning(id, 2) == "GET"));
}

#[test]
fn every_writer_and_half_is_compared() {
    // The table covers every writer `device!` has: a payload line has three parts.
    let parts: usize = WRITERS.iter().map(|w| w.parts.len()).sum();
    assert!(WRITERS.len() >= 10, "{} writers", WRITERS.len());
    assert!(WRITERS.iter().any(|w| w.parts.len() == 3));
    assert!(WRITERS.iter().any(|w| w.name == "err_code_line"));
    assert!(parts > WRITERS.len());
}

#[test]
fn known_lines_agree_and_mean_what_they_say() {
    // Fixed anchors beside the random cases: one of each outcome.
    use atspec_c_tests::Value;
    let ok = c_parse(
        br#"AT+HTTPCLIENT=3,0,"http://h/p\,q",,,1,"d\"x","A: b""#,
        256,
    );
    assert_eq!(
        ok,
        rust_parse(
            br#"AT+HTTPCLIENT=3,0,"http://h/p\,q",,,1,"d\"x","A: b""#,
            256
        )
    );
    match ok {
        Outcome::Command { name, values, .. } => {
            assert_eq!(name, "AT+HTTPCLIENT");
            assert_eq!(values[0], Value::Int(3));
            assert_eq!(values[2], Value::Bytes(b"http://h/p,q".to_vec()));
            assert_eq!(values[3], Value::None);
            assert_eq!(values[6], Value::Bytes(b"d\"x".to_vec()));
            assert_eq!(values[7], Value::Bytes(b"A: b".to_vec()));
        }
        other => panic!("{other:?}"),
    }
    for line in [
        &b"AT+HTTPCLIENT=2,0,\"x\",,,9"[..],
        b"AT+SYSLOG=x",
        b"AT+NOPE",
        b"XT",
        b"AT+GMR?",
    ] {
        let c = c_parse(line, 256);
        assert!(matches!(c, Outcome::Rejected { .. }), "{c:?}");
        assert_eq!(
            c,
            rust_parse(line, 256),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}
