//! Detects whether the compiler has `proc_macro::Span::local_file` (stable since 1.88). The
//! bare-metal image is built with Debian's rustc 1.85 (`firmware/bare/`), where the invoking
//! file comes from the unstable `source_file` instead (`RUSTC_BOOTSTRAP` is set there).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(span_source_file)");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    // `rustc 1.85.0 (…)`: the minor version decides.
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    if minor.is_some_and(|m| m < 88) {
        println!("cargo::rustc-cfg=span_source_file");
    }
}
