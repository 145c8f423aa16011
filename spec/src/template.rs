//! Response templates: literal bytes with `{field}` placeholders.
//!
//! A template is the single description of a response line that both the device's writers and
//! the harness's decoders are generated from, so its grammar is kept tiny: `{name}` or
//! `{name:fmt}` where `fmt` is a printf-like width spec (`08x`); `{{` and `}}` are literal braces.

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Bytes written as they are.
    Literal(String),
    /// A placeholder.
    Field {
        /// Field name.
        name: &'a str,
        /// Format spec after `:`, if any.
        format: Option<&'a str>,
    },
}

/// Splits a template into literal and placeholder pieces.
pub fn parse(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        match c {
            '{' if rest.starts_with("{{") => {
                lit.push('{');
                rest = &rest[2..];
            }
            '}' if rest.starts_with("}}") => {
                lit.push('}');
                rest = &rest[2..];
            }
            '{' => {
                let end = rest
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` in template {template:?}"))?;
                let inner = &rest[1..end];
                let (name, format) = match inner.split_once(':') {
                    Some((n, f)) => (n, Some(f)),
                    None => (inner, None),
                };
                if name.is_empty()
                    || !name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    return Err(format!(
                        "placeholder `{{{inner}}}` must be a snake_case field name"
                    ));
                }
                if !lit.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Field { name, format });
                rest = &rest[end + 1..];
            }
            '}' => return Err(format!("unmatched `}}` in template {template:?}")),
            _ => {
                lit.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Literal(lit));
    }
    Ok(pieces)
}

/// Names of the placeholders, in order.
pub fn fields(template: &str) -> Result<Vec<&str>, String> {
    Ok(parse(template)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Field { name, .. } => Some(name),
            Piece::Literal(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_literals_and_fields() {
        let p = parse("+HTTPCLIENT:{n},{data}\r\n").unwrap();
        assert_eq!(
            p,
            vec![
                Piece::Literal("+HTTPCLIENT:".into()),
                Piece::Field {
                    name: "n",
                    format: None
                },
                Piece::Literal(",".into()),
                Piece::Field {
                    name: "data",
                    format: None
                },
                Piece::Literal("\r\n".into()),
            ]
        );
    }

    #[test]
    fn keeps_format_and_escaped_braces() {
        let p = parse("{{x}} 0x{code:08x}").unwrap();
        assert_eq!(p[0], Piece::Literal("{x} 0x".into()));
        assert_eq!(
            p[1],
            Piece::Field {
                name: "code",
                format: Some("08x")
            }
        );
    }

    #[test]
    fn rejects_malformed() {
        assert!(parse("{n").unwrap_err().contains("unclosed"));
        assert!(parse("n}").unwrap_err().contains("unmatched"));
        assert!(parse("{N}").unwrap_err().contains("snake_case"));
        assert!(parse("{}").unwrap_err().contains("snake_case"));
    }
}
