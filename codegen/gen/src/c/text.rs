//! C spelling: identifiers, string literals and comments that any C99 compiler takes.

/// C keywords (C99 and C11) and names of the four standard headers' macros: a spec name that
/// is one of them gets a trailing underscore.
const RESERVED: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "bool",
    "true",
    "false",
    "asm",
    "_Bool",
    "_Complex",
    "_Imaginary",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Generic",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    "offsetof",
    "NULL",
];

/// A member or parameter name: the spec's snake_case name, never a C keyword.
pub fn member(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if RESERVED.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// `HTTPCLIENT.REDIRECT.NOT_FOLLOWED` or `send_ok` → `HTTPCLIENT_REDIRECT_NOT_FOLLOWED`.
pub fn upper(words: &str) -> String {
    words
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A C string literal of exactly these bytes. Printable ASCII stays readable; everything else
/// (and `?`, which could start a trigraph under `-std=c99`) becomes a three-digit octal
/// escape, which never swallows the character after it the way `\x` would.
pub fn literal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'?' => out.push_str("\\?"),
            b' '..=b'~' => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

/// Text for inside a `/* */` comment: one line, no comment terminator, ASCII only (the
/// generated files stay plain ASCII whatever the spec's prose holds).
pub fn comment(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let ascii: String = one_line
        .chars()
        .map(|c| match c {
            '\u{2014}' | '\u{2013}' => '-',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2264}' => '<',
            '\u{2265}' => '>',
            '\u{2192}' => '>',
            c if c.is_ascii() => c,
            _ => '?',
        })
        .collect();
    ascii.replace("*/", "* /").replace("/*", "/ *")
}

/// A signed 64-bit constant as C writes it portably.
pub fn int64(v: i64) -> String {
    if v == i64::MIN {
        "(-INT64_C(9223372036854775807) - 1)".to_owned()
    } else {
        format!("INT64_C({v})")
    }
}

/// A 32-bit signed value as an expression of type `int32_t` (the most negative one cannot be
/// written as a literal).
pub fn int32(v: i32) -> String {
    if v == i32::MIN {
        "(-INT32_C(2147483647) - 1)".to_owned()
    } else {
        format!("INT32_C({v})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_what_c_would_misread() {
        assert_eq!(literal(b"\r\nOK\r\n"), r#""\015\012OK\015\012""#);
        assert_eq!(literal(b"a\"b\\c??=1"), r#""a\"b\\c\?\?=1""#);
        assert_eq!(literal(b"\x001"), r#""\0001""#);
    }

    #[test]
    fn names_avoid_keywords_and_comments_stay_closed() {
        assert_eq!(member("default"), "default_");
        assert_eq!(member("tx size"), "tx_size");
        assert_eq!(
            upper("HTTPCLIENT.REDIRECT.NOT_FOLLOWED"),
            "HTTPCLIENT_REDIRECT_NOT_FOLLOWED"
        );
        assert_eq!(comment("a */ b\n  c \u{2264} d"), "a * / b c < d");
        assert_eq!(int32(i32::MIN), "(-INT32_C(2147483647) - 1)");
    }
}
