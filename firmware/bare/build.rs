//! Puts the machine's memory map where riscv-rt's `link.x` includes it from (`memory.x`):
//! `memory-virt.x` for QEMU `virt`, `memory-esp32c3.x` with the `esp32c3` feature.

fn main() {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let map = if std::env::var_os("CARGO_FEATURE_ESP32C3").is_some() {
        "memory-esp32c3.x"
    } else {
        "memory-virt.x"
    };
    std::fs::copy(map, out.join("memory.x")).expect("copy the memory map");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory-virt.x");
    println!("cargo:rerun-if-changed=memory-esp32c3.x");
}
