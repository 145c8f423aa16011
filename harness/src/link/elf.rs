//! What a firmware image occupies, read from its ELF file: section sizes as `size` counts
//! them, and the size of one named static (the engine). Enough of ELF32/ELF64 little-endian
//! for that, and no more.

use serde::{Deserialize, Serialize};

/// Sizes of a firmware image, for the report's device identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSize {
    /// Code and read-only data (allocated, not writable).
    pub text: u64,
    /// Initialised data (allocated, writable, in the file).
    pub data: u64,
    /// Zeroed data (allocated, writable, not in the file), stack region excluded.
    pub bss: u64,
    /// The engine's static, when the symbol table names one (`ENGINE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<u64>,
}

const SHF_WRITE: u64 = 1;
const SHF_ALLOC: u64 = 2;
const SHT_NOBITS: u32 = 8;
const SHT_SYMTAB: u32 = 2;

struct Section {
    name: u32,
    kind: u32,
    flags: u64,
    offset: u64,
    size: u64,
    link: u32,
    entsize: u64,
}

/// Reads `bytes` as an ELF image.
pub fn sizes(bytes: &[u8]) -> Result<ImageSize, String> {
    if bytes.len() < 0x34 || &bytes[..4] != b"\x7fELF" {
        return Err("not an ELF file".into());
    }
    if bytes[5] != 1 {
        return Err("not a little-endian ELF file".into());
    }
    let wide = match bytes[4] {
        1 => false,
        2 => true,
        _ => return Err("unknown ELF class".into()),
    };
    let u16_at = |o: usize| -> Option<u64> {
        Some(u64::from(u16::from_le_bytes(
            bytes.get(o..o + 2)?.try_into().ok()?,
        )))
    };
    let u32_at = |o: usize| -> Option<u64> {
        Some(u64::from(u32::from_le_bytes(
            bytes.get(o..o + 4)?.try_into().ok()?,
        )))
    };
    let u64_at = |o: usize| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(o..o + 8)?.try_into().ok()?))
    };
    let word = |o: usize| if wide { u64_at(o) } else { u32_at(o) };
    let bad = || "truncated ELF header".to_string();
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e))
    } else {
        (u32_at(0x20), u16_at(0x2e), u16_at(0x30), u16_at(0x32))
    };
    let (shoff, shentsize, shnum, shstrndx) = (
        shoff.ok_or_else(bad)? as usize,
        shentsize.ok_or_else(bad)? as usize,
        shnum.ok_or_else(bad)? as usize,
        shstrndx.ok_or_else(bad)? as usize,
    );
    let section = |i: usize| -> Option<Section> {
        let b = shoff + i * shentsize;
        Some(if wide {
            Section {
                name: u32_at(b)? as u32,
                kind: u32_at(b + 4)? as u32,
                flags: u64_at(b + 8)?,
                offset: u64_at(b + 0x18)?,
                size: u64_at(b + 0x20)?,
                link: u32_at(b + 0x28)? as u32,
                entsize: u64_at(b + 0x38)?,
            }
        } else {
            Section {
                name: u32_at(b)? as u32,
                kind: u32_at(b + 4)? as u32,
                flags: u32_at(b + 8)?,
                offset: u32_at(b + 0x10)?,
                size: u32_at(b + 0x14)?,
                link: u32_at(b + 0x18)? as u32,
                entsize: u32_at(b + 0x24)?,
            }
        })
    };
    let sections: Vec<Section> = (0..shnum)
        .map(section)
        .collect::<Option<_>>()
        .ok_or("truncated ELF section table")?;
    let names = sections.get(shstrndx).ok_or("no section name table")?;
    let text_of = |table: &Section, at: u64| -> String {
        let start = (table.offset + at) as usize;
        let rest = bytes.get(start..).unwrap_or_default();
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        String::from_utf8_lossy(&rest[..end]).into_owned()
    };
    let mut size = ImageSize {
        text: 0,
        data: 0,
        bss: 0,
        engine: None,
    };
    for s in &sections {
        if s.flags & SHF_ALLOC == 0 {
            continue;
        }
        // The runtime's stack and heap regions are address ranges, not the image's data.
        let name = text_of(names, u64::from(s.name));
        if name == ".stack" || name == ".heap" {
            continue;
        }
        match (s.flags & SHF_WRITE != 0, s.kind == SHT_NOBITS) {
            (false, _) => size.text += s.size,
            (true, false) => size.data += s.size,
            (true, true) => size.bss += s.size,
        }
    }
    // The engine static: a symbol whose (mangled) name holds `ENGINE`.
    if let Some(symtab) = sections.iter().find(|s| s.kind == SHT_SYMTAB) {
        let strings = sections.get(symtab.link as usize);
        let entsize = symtab.entsize.max(1) as usize;
        for i in 0..(symtab.size as usize / entsize) {
            let b = symtab.offset as usize + i * entsize;
            let (name, size_at) = if wide {
                (u32_at(b), b + 16)
            } else {
                (u32_at(b), b + 8)
            };
            let (Some(name), Some(strings)) = (name, strings) else {
                continue;
            };
            if text_of(strings, name).contains("6ENGINE") {
                size.engine = word(size_at);
                break;
            }
        }
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_elf_is_an_error() {
        assert!(sizes(b"MZ not an elf file at all, clearly, no, not at all").is_err());
        assert!(sizes(b"\x7fELF").is_err());
    }

    #[test]
    fn reads_this_test_binary() {
        // The host's own test executable is an ELF file with text and data.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let s = sizes(&exe).unwrap();
        assert!(s.text > 10_000, "{s:?}");
        assert!(s.data > 0 || s.bss > 0, "{s:?}");
    }
}
