//! The committed C (`codegen/c/`) is what the generator writes from the committed spec, and it
//! builds clean as promised: C99 with the strictest warnings as errors under gcc and clang,
//! with each optional part on or off, for rv32imc with only freestanding headers, and through
//! the component's own Makefile (and CMake, where installed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn component() -> PathBuf {
    root().join("codegen/c")
}

/// Whether a tool runs; in CI (where `.ci/run` installs it) a missing one fails the test.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("`{tool}` is not installed: .ci/run installs it");
    }
    if !ok {
        eprintln!("skipped: `{tool}` is not installed");
    }
    ok
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("atspec-c-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_committed_c_is_what_the_spec_generates() {
    let spec = root().join("spec/esp-at-http.yaml");
    let ir =
        atspec_codegen_gen::load(&spec, "spec/esp-at-http.yaml").unwrap_or_else(|d| panic!("{d}"));
    let files = atspec_codegen_gen::c::generate(&ir, &Default::default()).unwrap();
    let dir = component();
    let bless = std::env::var_os("ATSPEC_BLESS").is_some();
    for (name, text) in [
        (&files.header_name, &files.header),
        (&files.source_name, &files.source),
    ] {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == *text,
            "{} is stale: the spec or the generator changed. Regenerate with \
             `cargo run -p atspec -- gen c spec/esp-at-http.yaml -o codegen/c` \
             (or ATSPEC_BLESS=1 cargo test -p atspec-c-tests --test generated) and review the diff",
            path.display()
        );
    }
}

const STRICT: &[&str] = &[
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-Wconversion",
    "-Wshadow",
];

/// Compiles `src` with the strict flags and `extra`; panics with the compiler's words unless
/// it succeeds without a single diagnostic.
fn compile_clean(cc: &str, src: &Path, extra: &[&str], out: &Path) {
    let run = Command::new(cc)
        .args(STRICT)
        .args(extra)
        .arg("-c")
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "{cc} {extra:?} {}:\n{}",
        src.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The committed source.
fn committed() -> PathBuf {
    component().join("atspec_at.c")
}

#[test]
fn it_compiles_clean_under_gcc_and_clang_with_every_option() {
    let dir = tempdir("strict");
    for cc in ["gcc", "clang"] {
        if !have(cc) {
            continue;
        }
        for opts in [
            &["-O2"][..],
            &["-O0"],
            &["-Os", "-DATSPEC_REFLECT=1"],
            &["-O2", "-DATSPEC_CLAUSE_TABLE=0"],
        ] {
            compile_clean(cc, &committed(), opts, &dir.join("x.o"));
        }
    }
}

#[test]
fn another_spec_generates_c_that_compiles_clean_too() {
    // The minimal fixture has one integer parameter and no strings: the generator must not
    // leave the string decoder (or anything else) unused behind.
    if !have("gcc") {
        return;
    }
    let spec = root().join("fixtures/spec/minimal.yaml");
    let ir = atspec_codegen_gen::load(&spec, "minimal.yaml").unwrap_or_else(|d| panic!("{d}"));
    let files = atspec_codegen_gen::c::generate(&ir, &Default::default()).unwrap();
    let dir = tempdir("minimal");
    std::fs::write(dir.join(&files.header_name), &files.header).unwrap();
    std::fs::write(dir.join(&files.source_name), &files.source).unwrap();
    assert!(!files.source.contains("take_str"));
    for opts in [&["-O2"][..], &["-DATSPEC_REFLECT=1"]] {
        compile_clean("gcc", &dir.join(&files.source_name), opts, &dir.join("m.o"));
    }
}

#[test]
fn it_compiles_for_rv32imc_with_freestanding_headers_only() {
    if !have("clang") {
        return;
    }
    let dir = tempdir("rv32");
    compile_clean(
        "clang",
        &committed(),
        &[
            "--target=riscv32-unknown-elf",
            "-march=rv32imc",
            "-mabi=ilp32",
            "-ffreestanding",
            "-Os",
        ],
        &dir.join("rv.o"),
    );
}

#[test]
fn the_makefile_builds_the_library() {
    if !have("make") || !have("gcc") {
        return;
    }
    let build = tempdir("make");
    let out = Command::new("make")
        .arg("-C")
        .arg(component())
        .arg(format!("BUILD={}", build.display()))
        .arg("CC=gcc")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(build.join("libatspec_at.a").is_file());
}

#[test]
fn cmake_builds_the_library_outside_esp_idf() {
    let ok = Command::new("cmake")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "cmake is not installed: .ci/run installs it"
        );
        eprintln!("skipped: cmake is not installed");
        return;
    }
    let build = tempdir("cmake");
    let run = |args: &[&str]| {
        let out = Command::new("cmake").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "cmake {args:?}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (src, bin) = (
        component().display().to_string(),
        build.display().to_string(),
    );
    run(&["-S", &src, "-B", &bin]);
    run(&["--build", &bin]);
    assert!(build.join("libatspec_at.a").is_file());
}

#[test]
fn it_uses_no_heap_no_libc_and_no_mutable_globals() {
    let c = std::fs::read_to_string(component().join("atspec_at.c")).unwrap();
    let h = std::fs::read_to_string(component().join("atspec_at.h")).unwrap();
    let includes: Vec<&str> = c
        .lines()
        .chain(h.lines())
        .filter(|l| l.starts_with("#include"))
        .collect();
    assert_eq!(
        includes,
        [
            "#include \"atspec_at.h\"",
            "#include <stdbool.h>",
            "#include <stddef.h>",
            "#include <stdint.h>"
        ]
    );
    for word in ["malloc", "free(", "printf", "memcpy", "memcmp", "goto"] {
        assert!(!c.contains(word), "the C uses {word}");
    }
    // Every file-scope `static` object is const: tables, never state.
    for l in c
        .lines()
        .filter(|l| l.starts_with("static ") && !l.contains('('))
    {
        assert!(l.starts_with("static const "), "mutable global: {l}");
    }
}
