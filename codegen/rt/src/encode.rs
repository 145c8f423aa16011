//! Writing command lines (host side).

use crate::Syntax;

/// One field of a line being encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// Omitted: dropped when nothing written follows, else written empty.
    Drop,
    /// Written empty.
    Empty,
    /// Written as these bytes (already quoted/escaped when a string).
    Bytes(Vec<u8>),
}

/// An integer field.
pub fn int(v: i32) -> Out {
    Out::Bytes(v.to_string().into_bytes())
}

/// A string field: quoted, with the quote, separator and escape bytes escaped.
pub fn string(v: &[u8], s: &Syntax) -> Out {
    let mut b = Vec::with_capacity(v.len() + 2);
    b.push(s.quote);
    for &c in v {
        if c == s.quote || c == s.separator || c == s.escape {
            b.push(s.escape);
        }
        b.push(c);
    }
    b.push(s.quote);
    Out::Bytes(b)
}

/// `AT…` + name + marker + fields + terminator. Trailing dropped fields are left out.
pub fn line(name: &str, marker: &str, fields: &[Out], s: &Syntax, terminator: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 32);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(marker.as_bytes());
    let keep = fields
        .iter()
        .rposition(|f| *f != Out::Drop)
        .map_or(0, |i| i + 1);
    for (i, f) in fields[..keep].iter().enumerate() {
        if i > 0 {
            out.push(s.separator);
        }
        if let Out::Bytes(b) = f {
            out.extend_from_slice(b);
        }
    }
    out.extend_from_slice(terminator);
    out
}
