//! Byte strings in reports and transcripts: printable ASCII as is, everything else escaped, so
//! a transcript is readable and diffable text that round-trips exactly.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes that serialize as an escaped string (`\r`, `\n`, `\t`, `\\`, `\xNN`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// The escaped text form.
    pub fn escaped(&self) -> String {
        escape(&self.0)
    }
}

impl From<&[u8]> for Bytes {
    fn from(b: &[u8]) -> Self {
        Bytes(b.to_vec())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(b: Vec<u8>) -> Self {
        Bytes(b)
    }
}

/// Makes text safe for XML 1.0 character data and attributes.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            '\u{fffe}' | '\u{ffff}' => out.push_str("\\ufffe"),
            c => out.push(c),
        }
    }
    out
}

/// Makes text safe for a terminal: control characters (ESC, NUL, the rest of C0, DEL, C1) and
/// bidirectional overrides become visible escapes (`\x1b`, `\0`, `\xNN`, `\u{202e}`), so bytes
/// a device chose cannot clear the screen, set the title, plant a hyperlink or reorder text.
/// Newlines and tabs stay. With `sgr`, the few color sequences the harness itself writes
/// (`ESC[0m`, `ESC[2m`, `ESC[31m`…`ESC[33m`) stay too; a device that sends one only changes a
/// color.
pub fn neutralize(text: &str, sgr: bool) -> String {
    const OURS: &[&str] = &["[0m", "[2m", "[31m", "[32m", "[33m"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '\n' | '\t' => out.push(c),
            '\u{1b}' if sgr && OURS.iter().any(|o| after.starts_with(o)) => out.push(c),
            '\u{1b}' => out.push_str("\\x1b"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
        rest = after;
    }
    out
}

/// Escapes bytes for text: printable ASCII stays (backslash doubled).
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// The inverse of [`escape`].
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex = text
                    .get(i + 2..i + 4)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad \\x escape at byte {i}"))?;
                out.push(hex);
                i += 4;
                continue;
            }
            _ => return Err(format!("bad escape at byte {i}")),
        }
        i += 2;
    }
    Ok(out)
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&escape(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        unescape(&s).map(Bytes).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_bytes_cannot_drive_the_terminal() {
        let hostile =
            "AT version:1\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;http://x\u{1b}\\\0\u{202e}txt\n";
        let safe = neutralize(hostile, true);
        assert!(
            !safe.contains('\u{1b}') && !safe.contains('\0') && !safe.contains('\u{7}'),
            "{safe}"
        );
        assert!(!safe.contains('\u{202e}'), "{safe}");
        assert_eq!(
            safe,
            "AT version:1\\x1b[2J\\x1b]0;pwned\\x07\\x1b]8;;http://x\\x1b\\\\0\\u{202e}txt\n"
        );
        // The harness's own colors stay when coloring, and go when not.
        assert_eq!(
            neutralize("\u{1b}[31mfail\u{1b}[0m", true),
            "\u{1b}[31mfail\u{1b}[0m"
        );
        assert_eq!(
            neutralize("\u{1b}[31mfail\u{1b}[0m", false),
            "\\x1b[31mfail\\x1b[0m"
        );
    }

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unescape(&escape(&all)).unwrap(), all);
        assert_eq!(escape(b"OK\r\n\x00\\"), "OK\\r\\n\\x00\\\\");
        assert!(unescape("\\q").is_err());
    }
}
