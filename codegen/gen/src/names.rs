//! Case conversions for generated identifiers.

use proc_macro2::{Ident, Span};

/// `HttpClient` → `http_client`.
pub fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// `content_type` or `HTTPCLIENT.REDIRECT` → `ContentType` / `HttpclientRedirect`.
pub fn camel(words: &str) -> String {
    words
        .split(['_', '.', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            let first = c.next().unwrap_or_default().to_ascii_uppercase();
            std::iter::once(first)
                .chain(c.map(|c| c.to_ascii_lowercase()))
                .collect::<String>()
        })
        .collect()
}

/// `send_ok` → `SEND_OK`.
pub fn screaming(words: &str) -> String {
    words.to_ascii_uppercase().replace(['.', '-', ' '], "_")
}

/// An identifier; raw when it is a keyword (`type` → `r#type`).
pub fn ident(s: &str) -> Ident {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
        "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
        "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&s) {
        Ident::new_raw(s, Span::call_site())
    } else {
        Ident::new(s, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(snake("HttpClient"), "http_client");
        assert_eq!(snake("At"), "at");
        assert_eq!(camel("content_type"), "ContentType");
        assert_eq!(
            camel("HTTPCLIENT.REDIRECT.NOT_FOLLOWED"),
            "HttpclientRedirectNotFollowed"
        );
        assert_eq!(screaming("send_ok"), "SEND_OK");
        assert_eq!(ident("type").to_string(), "r#type");
    }
}
