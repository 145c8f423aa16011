//! Every clause of the spec is marked where each side implements it: the engine
//! (`firmware/src`) and the oracle (`harness/src/oracle`, `world`, `runner`: what predicts and
//! judges an answer) each write `implements!(Clause, …)` where a rule lives, the one marker
//! idiom of the project (a clause removed from the spec is then a compile error there).
//!
//! A clause a side has no hand-written code for is in an explicit list below, with the reason:
//! the generated parser and reply tables implement it for both sides, or the board does. The
//! test names every clause a side leaves unmarked and unlisted, and every listed clause a
//! side does mark (the lists stay exact).

use std::collections::BTreeSet;
use std::path::Path;

use atspec_firmware::device::Clause;

/// Implemented by code `atspec-codegen` generates from the spec for both sides: parameter
/// syntax, ranges, counts and positions (the parser), result and prompt bytes (the reply
/// table), ERR CODE values and their layout (the code table), and which forms a command has.
const GENERATED: &[&str] = &[
    "ERRCODE.HTTP.TABLE",
    "ERRCODE.LAYOUT",
    "ERRCODE.NO_AT",
    "ERRCODE.PARA_PARSE_FAIL",
    "ERRCODE.UNSUPPORTED",
    "FRAMING.FORM.MARKERS",
    "FRAMING.FORM.TRAILING_JUNK",
    "FRAMING.LINE.EMPTY",
    "FRAMING.NAME.CASE_INSENSITIVE",
    "FRAMING.SET.ONE_PARAM_MIN",
    "HTTP.FORMS.SET_ONLY",
    "HTTP.FORMS.URLCFG_CHEAD",
    "HTTPCFG.INDEXES.MODES_1_3",
    "HTTPCFG.INDEXES.MODE_0",
    "HTTPCFG.MODE.RANGE",
    "HTTPCHEAD.PARAM_COUNT",
    "HTTPCLIENT.CONTENT_TYPE.RANGE",
    "HTTPCLIENT.DATA.REQUIRED_FOR_POST",
    "HTTPCLIENT.HEADERS.NEED_COLON",
    "HTTPCLIENT.HEADERS.VARIADIC",
    "HTTPCLIENT.OPT.REQUIRED",
    "HTTPCLIENT.POSITIONS",
    "HTTPCLIENT.TRANSPORT.RANGE",
    "HTTPCSEND.HEADER.NEED_COLON",
    "HTTPCSEND.HEADER_CNT.NOT_EMPTY",
    "HTTPURLCFG.PARAM_COUNT",
    "PARAM.EMPTY.OMITTED",
    "PARAM.EXTRA",
    "PARAM.INT.BARE_PREFIX",
    "PARAM.INT.OVERFLOW",
    "PARAM.INT.SYNTAX",
    "PARAM.MAX_COUNT",
    "PARAM.MISSING_INDEX",
    "PARAM.POSITIONS",
    "PARAM.SPLIT.COMMA",
    "PARAM.SPLIT.ESCAPE_UNIT",
    "PARAM.STR.BARE_QUOTE",
    "PARAM.STR.DANGLING_ESCAPE",
    "PARAM.STR.EMPTY_QUOTES",
    "PARAM.STR.JSON_ESCAPES",
    "PARAM.STR.LONE_QUOTE",
    "PARAM.STR.QUOTED",
    "PARAM.STR.UNESCAPE",
    "RESULT.BUSY.BYTES",
    "RESULT.ERROR.BYTES",
    "RESULT.INFO_LINE.SEPARATION",
    "RESULT.OK.BYTES",
    "RESULT.SEND.BYTES",
];

/// The engine hands these to the board: its TLS stack verifies (or not) and is the device's
/// conformance class (`firmware/board/tests/tls.rs` proves them).
const ENGINE_ELSEWHERE: &[&str] = &["CONFORMANCE.CLASS.HTTPS", "HTTPCFG.VERIFY.NO_HOSTNAME"];

/// The oracle has code for every clause the generated tables do not implement.
const ORACLE_ELSEWHERE: &[&str] = &[];

/// The clause variants `implements!(…)` names in the `.rs` files under `dirs`, comments and a
/// file's closing `#[cfg(test)] mod tests` left out.
fn marked(dirs: &[&Path]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut files = Vec::new();
    for d in dirs {
        collect(d, &mut files);
    }
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        out.extend(marks_in(&src));
    }
    out
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, files);
        } else if p.extension().is_some_and(|x| x == "rs") {
            files.push(p);
        }
    }
}

fn marks_in(src: &str) -> Vec<String> {
    let code: String = src
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default()
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    for (i, _) in code.match_indices("implements!(") {
        let args = &code[i + "implements!(".len()..];
        let end = args.find(')').unwrap_or(args.len());
        out.extend(
            args[..end]
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
        );
    }
    out
}

/// What is wrong with one side's marks: unmarked clauses not listed, listed clauses marked,
/// and marks or list entries that name no clause.
fn audit(side: &str, marks: &BTreeSet<String>, listed: &[&str]) -> Vec<String> {
    let name = |c: &Clause| format!("{c:?}");
    let mut problems = Vec::new();
    for id in listed {
        match Clause::from_id(id) {
            None => problems.push(format!("{side}: listed `{id}` is no clause of the spec")),
            Some(c) if marks.contains(&name(&c)) => problems.push(format!(
                "{side}: `{id}` is listed as having no code here, but it is marked: drop it from the list"
            )),
            Some(_) => {}
        }
    }
    for c in Clause::ALL {
        if !marks.contains(&name(c)) && !listed.contains(&c.id()) {
            problems.push(format!(
                "{side}: `{}` ({}) is unmarked: add implements!({}) where its rule lives, or list it with the reason",
                c.id(),
                name(c),
                name(c)
            ));
        }
    }
    let known: BTreeSet<String> = Clause::ALL.iter().map(name).collect();
    for m in marks.difference(&known) {
        problems.push(format!("{side}: implements!({m}) names no clause"));
    }
    problems
}

#[test]
fn every_clause_is_marked_on_each_side_or_listed_with_its_reason() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let engine = marked(&[&root.join("firmware/src")]);
    let oracle = marked(&[
        &root.join("harness/src/oracle"),
        &root.join("harness/src/world"),
        &root.join("harness/src/runner"),
    ]);
    let engine_listed: Vec<&str> = GENERATED.iter().chain(ENGINE_ELSEWHERE).copied().collect();
    let oracle_listed: Vec<&str> = GENERATED.iter().chain(ORACLE_ELSEWHERE).copied().collect();
    let mut problems = audit("engine", &engine, &engine_listed);
    problems.extend(audit("oracle", &oracle, &oracle_listed));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Both sides mark most clauses by hand: the lists are the exception.
    assert!(engine.len() + engine_listed.len() >= Clause::ALL.len());
}

/// The audit's teeth: an unmarked clause, a stale list entry and a mark that names nothing
/// are each reported; the reader skips comments and test modules.
#[test]
fn the_audit_names_what_is_missing_stale_or_unknown() {
    let src = "fn a() {\n    // implements!(BaseAtOk)\n    implements!(EchoSwitch, BaseRstReady);\n    implements!(\n        NoSuchClause,\n    );\n}\n#[cfg(test)]\nmod tests {\n    implements!(SyslogSet);\n}\n";
    let marks: BTreeSet<String> = marks_in(src).into_iter().collect();
    assert_eq!(
        marks,
        ["BaseRstReady", "EchoSwitch", "NoSuchClause"]
            .map(String::from)
            .into()
    );
    let problems = audit("t", &marks, &["ECHO.SWITCH", "NOT.A.CLAUSE"]);
    let has = |s: &str| problems.iter().any(|p| p.contains(s));
    assert!(has(
        "`ECHO.SWITCH` is listed as having no code here, but it is marked"
    ));
    assert!(has("listed `NOT.A.CLAUSE` is no clause"));
    assert!(has("implements!(NoSuchClause) names no clause"));
    assert!(has("`BASE.AT.OK` (BaseAtOk) is unmarked"));
    assert!(!has("`BASE.RST.READY`"));
}
